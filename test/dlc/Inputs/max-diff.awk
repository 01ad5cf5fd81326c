# Compares two columns of numbers; fails if any pair differs by more than tol.
{
  d = $1 - $2; if (d < 0) d = -d
  if (d > tol) { printf "line %d: %s vs %s differ by %g\n", NR, $1, $2, d; bad = 1 }
}
END {
  if (NR == 0) { print "no losses"; exit 1 }
  if (bad) exit 1
  printf "%d losses within %s\n", NR, tol
}
