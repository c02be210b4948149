"""`make demo` plays the whole routine against its own sandbox and leaves nothing running."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.timeout(180)
def test_demo_plays_the_routine_to_activation(require_dovecot: None, tmp_path: Path) -> None:
    """The demo's transcript shows every kind of the routine in order and ends with an activated case."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("BOT_")}
    proc = subprocess.run([sys.executable, "-m", "bot", "demo"], cwd=tmp_path, env=env, capture_output=True,
                          text=True, timeout=170, check=False)
    assert proc.returncode == 0, proc.stderr[-3000:]
    out = proc.stdout
    kinds = ["[receipt]", "[new_case]", "[reminder]", "[step_confirmed]", "[test_notice]", "[deviation]",
             "[dialog_notice]", "[activated]"]
    positions = [out.index(k) for k in kinds]
    assert positions == sorted(positions), positions
    assert "OPK-1  Malvik kommune  [activated]" in out
    assert not list(tmp_path.iterdir())  # its database and sandbox lived in temp dirs that are gone
