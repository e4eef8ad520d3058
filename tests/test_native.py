"""The compiled cores are built wherever a C compiler is present (CI has one).

setup.py marks them optional so an install without a compiler still works (the pure-Python twins
give identical results, which each tests/test_native_*.py asserts); here a silently failed build,
which would only make the kit slower, becomes a failing test.
"""
import shutil
import sysconfig

import pytest

from analysis._native import built


@pytest.mark.skipif(shutil.which(sysconfig.get_config_var("CC").split()[0] if
                                 sysconfig.get_config_var("CC") else "cc") is None,
                    reason="no C compiler on this machine: the pure-Python twins run")
def test_every_c_source_is_built():
    modules = built()
    assert modules, "no C sources found beside analysis/_native/__init__.py"
    missing = sorted(name for name, ok in modules.items() if not ok)
    assert not missing, f"not built: {missing}; run make install (setup.py build_ext)"
