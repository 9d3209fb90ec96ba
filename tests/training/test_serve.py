"""`gdprlab lessons`: the command line it builds, and what it does when something is missing."""

from __future__ import annotations

import argparse
import subprocess
from pathlib import Path

import pytest

from gdprlab.cli.main import main as gdprlab
from gdprlab.training import serve as lessons_server
from gdprlab.training.serve import add_arguments, build_command, default_lessons_dir, main
from gdprlab.training.store.progress import ProgressStore

ROOT = Path(__file__).resolve().parents[2]
PY = "/venv/bin/python"
#: what Voilà is told about idle kernels by default
CULL = ["--MappingKernelManager.cull_idle_timeout=600", "--MappingKernelManager.cull_interval=60",
        "--MappingKernelManager.cull_connected=False"]


def parse(*argv: str) -> argparse.Namespace:
    return add_arguments(argparse.ArgumentParser()).parse_args(list(argv))


def test_default_is_voila_on_the_lessons_folder_without_code() -> None:
    command = build_command(parse("--dir", "/srv/lessons"), python=PY)
    assert command == [PY, "-m", "voila", "/srv/lessons", "--strip_sources=True", "--show_tracebacks=False",
                       *CULL]


def test_port_and_no_browser_for_voila() -> None:
    command = build_command(parse("--dir", "lessons", "--port", "9000", "--no-browser"), python=PY)
    assert command[:4] == [PY, "-m", "voila", "lessons"]
    assert command[-2:] == ["--port=9000", "--no-browser"]


def test_lab_starts_jupyterlab_on_the_folder_saving_lessons_as_committed() -> None:
    args = parse("--lab", "--dir", "/srv/lessons", "--port", "8890", "--no-browser")
    command = build_command(args, python=PY)
    assert command == [PY, "-m", "jupyterlab", "--ServerApp.root_dir=/srv/lessons",
                       "--ContentsManager.pre_save_hook=gdprlab.runner.hygiene.pre_save_hook", "--port=8890",
                       "--no-browser"]
    assert not any("voila" in part for part in command)


def test_arguments_after_double_dash_go_to_the_server() -> None:
    args = parse("--lab", "--dir", "l", "--", "--allow-root", "--ServerApp.ip=0.0.0.0")
    assert build_command(args, python=PY)[-2:] == ["--allow-root", "--ServerApp.ip=0.0.0.0"]
    assert build_command(parse("--dir", "l"), python=PY)[-1] == CULL[-1]


def test_defaults_use_this_interpreter_and_the_lessons_of_the_checkout(monkeypatch, tmp_path) -> None:
    monkeypatch.chdir(tmp_path)  # no ./lessons here
    command = build_command(parse())
    assert command[0] == lessons_server.sys.executable
    assert command[3] == str(ROOT / "lessons")
    assert not any(part.startswith("--port") or part == "--no-browser" for part in command)


def test_lessons_folder_of_the_current_directory_wins(tmp_path) -> None:
    (tmp_path / "lessons").mkdir()
    assert default_lessons_dir(tmp_path) == tmp_path / "lessons"
    assert default_lessons_dir(tmp_path / "elsewhere") == ROOT / "lessons"


def test_build_command_accepts_a_plain_namespace() -> None:
    args = argparse.Namespace(dir=Path("/x"), lab=False, port=None, no_browser=True)
    assert build_command(args, python=PY) == [PY, "-m", "voila", "/x", "--strip_sources=True",
                                              "--show_tracebacks=False", *CULL, "--no-browser"]


@pytest.mark.parametrize("port", [0, -1, 65536])
def test_impossible_port_is_refused(port: int) -> None:
    with pytest.raises(ValueError, match="--port"):
        build_command(parse("--port", str(port)), python=PY)


def test_help_names_every_option(capsys) -> None:
    with pytest.raises(SystemExit) as exit_info:
        main(["--help"])
    assert exit_info.value.code == 0
    out = capsys.readouterr().out
    for option in ("--lab", "--port", "--no-browser", "--dir", "example:"):
        assert option in out


def test_missing_folder_is_an_error_not_a_server(tmp_path, capsys, monkeypatch) -> None:
    monkeypatch.setattr(subprocess, "Popen", pytest.fail)
    assert main(["--dir", str(tmp_path / "nope")]) == 2
    assert "no lessons folder" in capsys.readouterr().err


def test_missing_server_package_is_reported_with_the_install_command(tmp_path, capsys, monkeypatch) -> None:
    monkeypatch.setitem(lessons_server.SERVERS, "voila", ("gdprlab_no_such_module", "voila"))
    monkeypatch.setitem(lessons_server.SERVERS, "lab", ("gdprlab_no_such_module", "jupyterlab"))
    monkeypatch.setattr(subprocess, "Popen", pytest.fail)
    assert main(["--dir", str(tmp_path)]) == 2
    assert "voila is not installed" in capsys.readouterr().err
    assert main(["--lab", "--dir", str(tmp_path)]) == 2
    assert "pip install jupyterlab" in capsys.readouterr().err


def test_runs_the_built_command_and_returns_its_status(tmp_path, monkeypatch) -> None:
    started: list[list[str]] = []

    class FakeProcess:
        def __init__(self, command: list[str]) -> None:
            started.append(command)

        def wait(self, timeout: float | None = None) -> int:
            return 3

    monkeypatch.setattr(lessons_server, "missing_server", lambda lab: None)
    monkeypatch.setattr(subprocess, "Popen", FakeProcess)
    assert main(["--dir", str(tmp_path), "--port", "8899", "--no-browser"]) == 3
    assert started == [build_command(parse("--dir", str(tmp_path), "--port", "8899", "--no-browser"))]


def test_ctrl_c_waits_for_the_server_to_shut_down(tmp_path, monkeypatch) -> None:
    calls: list[float | None] = []

    class FakeProcess:
        def __init__(self, command: list[str]) -> None:
            pass

        def wait(self, timeout: float | None = None) -> int:
            calls.append(timeout)
            if len(calls) == 1:
                raise KeyboardInterrupt
            return 0

    monkeypatch.setattr(lessons_server, "missing_server", lambda lab: None)
    monkeypatch.setattr(subprocess, "Popen", FakeProcess)
    assert main(["--dir", str(tmp_path)]) == 0
    assert calls == [None, 15]


def test_voila_culls_the_kernels_of_closed_pages_only() -> None:
    command = build_command(parse("--dir", "lessons"))
    assert "--MappingKernelManager.cull_idle_timeout=600" in command  # 10 minutes by default
    assert "--MappingKernelManager.cull_interval=60" in command
    assert "--MappingKernelManager.cull_connected=False" in command  # an open page keeps its kernel
    quick = build_command(parse("--dir", "lessons", "--cull-idle", "0.05"))
    assert {"--MappingKernelManager.cull_idle_timeout=3",
            "--MappingKernelManager.cull_interval=3"} <= set(quick)
    assert not [c for c in build_command(parse("--dir", "lessons", "--cull-idle", "0")) if "cull" in c]
    assert not [c for c in build_command(parse("--dir", "lessons", "--lab")) if "cull" in c]
    with pytest.raises(ValueError, match="cull-idle"):
        build_command(parse("--dir", "lessons", "--cull-idle", "-1"))


def test_sigterm_is_passed_on_to_the_server(tmp_path) -> None:
    """`gdprlab lessons` stopped by SIGTERM (kill, systemd, a container stop) stops its server too."""
    import os
    import signal
    import sys
    import time

    server = ("import signal, sys, time\n"
              "signal.signal(signal.SIGTERM, lambda *a: sys.exit(0))\n"
              "print('up', flush=True)\n"
              "time.sleep(120)\n")
    supervisor = ("import subprocess, sys\n"
                  "from gdprlab.training.serve import supervise\n"
                  f"p = subprocess.Popen([sys.executable, '-c', {server!r}], stdout=subprocess.PIPE,\n"
                  "                      text=True)\n"
                  "p.stdout.readline()\n"
                  "sys.exit(supervise(p, timeout=10, ready=lambda: print(p.pid, flush=True)))\n")
    parent = subprocess.Popen([sys.executable, "-c", supervisor], stdout=subprocess.PIPE, text=True,
                              env={**os.environ, "PYTHONPATH": str(Path(lessons_server.__file__).parents[2])})
    child = int(parent.stdout.readline())
    parent.send_signal(signal.SIGTERM)
    assert parent.wait(timeout=20) == 0  # the server's own exit status
    deadline = time.monotonic() + 10
    while Path(f"/proc/{child}").exists() and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not Path(f"/proc/{child}").exists() or "Z" in Path(f"/proc/{child}/stat").read_text().split()[2]


def _dashboard(tmp_path: Path, monkeypatch, *argv: str) -> tuple[int, list[tuple[list[str], dict]]]:
    """`gdprlab progress dashboard ARGV` run in tmp_path with a fake server: its status, what it started."""
    started: list[tuple[list[str], dict]] = []

    class FakeProcess:
        def __init__(self, command: list[str], env: dict) -> None:
            started.append((command, env))

        def wait(self, timeout: float | None = None) -> int:
            return 0

    monkeypatch.chdir(tmp_path)
    monkeypatch.setattr(lessons_server, "missing_server", lambda lab: None)
    monkeypatch.setattr(subprocess, "Popen", FakeProcess)
    return gdprlab(["progress", "dashboard", *argv]), started


def test_the_dashboard_is_one_code_free_page_reading_the_store_named_by_db(tmp_path, monkeypatch) -> None:
    url = f"sqlite:///{tmp_path / 'progress.sqlite'}"
    with ProgressStore(url) as store:  # an empty store
        store.prepare()
    status, started = _dashboard(tmp_path, monkeypatch, "--db", url,
                                 "--port", "8870", "--no-browser", "--", "--Voila.ip=0.0.0.0")
    ((command, env),) = started
    assert status == 0
    assert command[1:6] == ["-m", "voila", str(ROOT / "notebooks" / "training_dashboard.ipynb"),
                            "--strip_sources=True", "--show_tracebacks=False"]
    assert command[-3:] == ["--port=8870", "--no-browser", "--Voila.ip=0.0.0.0"]
    # the store's URL reaches the notebook through the server's environment, never as a parameter
    assert env["GDPRLAB_DB_URL"] == url
    assert not any("sqlite" in part for part in command)


def test_a_wrong_or_missing_store_is_one_message_before_any_server(tmp_path, capsys, monkeypatch) -> None:
    for db, said in (("not a url", "is not a database URL"),
                     (f"sqlite:///{tmp_path / 'none.sqlite'}", "no progress database at")):
        status, started = _dashboard(tmp_path, monkeypatch, "--db", db)
        assert (status, started) == (2, [])
        err = capsys.readouterr().err
        assert said in err and "Traceback" not in err
    assert not (tmp_path / "none.sqlite").exists()  # reading never creates a store


def test_the_dashboard_of_the_current_folder_wins_and_without_db_the_environment_decides(tmp_path,
                                                                                        monkeypatch) -> None:
    (tmp_path / "notebooks").mkdir()
    (tmp_path / "notebooks" / "training_dashboard.ipynb").write_text("{}", encoding="utf-8")
    monkeypatch.setenv("GDPRLAB_DB_URL", "sqlite:////kept.sqlite")
    _, ((command, env),) = _dashboard(tmp_path, monkeypatch)
    assert command[3] == str(tmp_path / "notebooks" / "training_dashboard.ipynb")
    assert env["GDPRLAB_DB_URL"] == "sqlite:////kept.sqlite"


def test_a_missing_dashboard_or_server_is_an_error_not_a_server(tmp_path, capsys, monkeypatch) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setattr(subprocess, "Popen", pytest.fail)
    monkeypatch.setattr(lessons_server, "default_dashboard", lambda: tmp_path / "nope.ipynb")
    assert gdprlab(["progress", "dashboard"]) == 2
    assert "no dashboard notebook at" in capsys.readouterr().err
    monkeypatch.undo()
    monkeypatch.setattr(subprocess, "Popen", pytest.fail)
    monkeypatch.setitem(lessons_server.SERVERS, "voila", ("gdprlab_no_such_module", "voila"))
    assert gdprlab(["progress", "dashboard"]) == 2
    assert "voila is not installed" in capsys.readouterr().err
