import os
import lit.formats

config.name = "dlc"
config.test_format = lit.formats.ShTest(execute_external=False)
config.suffixes = [".mlir", ".net", ".test"]
config.excludes = ["Inputs", "unit", "fuzz", "CMakeLists.txt", "lit.cfg.py"]
config.test_source_root = os.path.dirname(__file__)
config.test_exec_root = os.path.join(config.dlc_obj_root, "test")
config.environment["PATH"] = os.pathsep.join(
    [config.dlc_tools_dir, config.llvm_tools_dir, config.environment.get("PATH", "")])
config.substitutions.append(("%examples", os.path.join(config.dlc_src_root, "examples")))
config.substitutions.append(("%fmnist", "/usr/share/datasets/fashion-mnist"))
# Paths of the built tools, for commands that need a file rather than a name
# looked up on PATH (ldd).
config.substitutions.append(("%dlc-run", os.path.join(config.dlc_tools_dir, "dlc-run")))
config.substitutions.append(("%dlc-bin", os.path.join(config.dlc_tools_dir, "dlc")))

# A -DDLC_SANITIZE=ON build: sanitizer reports abort (docs/testing.md). Options
# set in the caller's environment win.
if config.dlc_sanitize.upper() in ("ON", "1", "TRUE", "YES"):
    for name, value in config.dlc_sanitizer_env.items():
        config.environment[name] = os.environ.get(name, value)

# /dev/full (writes fail with ENOSPC) stands in for a full disk where the
# machine has it.
if os.path.exists("/dev/full"):
    config.available_features.add("dev-full")
