"""``importsub shock simulate`` and ``shock montecarlo --simulate`` end to end on a SQLite store: the issue's
check on the demo (16 weekly rows, a PI at least the TTR run's), bad flags named, Monte Carlo side by side."""

from __future__ import annotations

import json

import pytest

from importsub.cli.common import run
from importsub.cli.main import app
from importsub.demo import load
from importsub.store import Store


@pytest.fixture(scope="module")
def db(tmp_path_factory: pytest.TempPathFactory) -> str:
    url = str(tmp_path_factory.mktemp("simulate") / "s.sqlite")
    Store(url).write_dataset(load())
    return url


def call(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = run(app, list(args))
    cap = capsys.readouterr()
    return code, cap.out, cap.err


def test_simulate_cn_8w_for_16_weeks_is_never_below_shock_run(db: str, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = call(capsys, "shock", "simulate", "cn-8w", "--weeks", "16", "--db", db, "-f", "json")
    assert code == 0, err
    sim = json.loads(out)
    weekly = sim["tables"]["weekly"]
    assert sorted({r["week"] for r in weekly}) == list(range(1, 17))
    (summary,) = sim["tables"]["summary"]
    code, out, err = call(capsys, "shock", "run", "cn-8w", "--weeks", "16", "--db", db, "-f", "json")
    assert code == 0, err
    (ttr,) = json.loads(out)["tables"]["summary"]
    assert summary["performance impact [RUB]"] >= ttr["performance impact [RUB]"] * (1 - 1e-9)
    assert summary["TTR performance impact [RUB]"] == pytest.approx(ttr["performance impact [RUB]"], rel=1e-7)
    assert sum(r["lost margin [RUB]"] for r in weekly) == pytest.approx(summary["lost margin [RUB]"], rel=1e-9)
    assert sim["fingerprint"]["analysis"] == "simulate"


@pytest.mark.parametrize(
    ("flags", "named"),
    [
        (["--policy", "kanban"], "--policy"),
        (["--rationing", "lottery"], "--rationing"),
        (["--recovery", "sudden"], "--recovery"),
    ],
)
def test_bad_flags_are_named(db: str, capsys: pytest.CaptureFixture[str], flags: list[str], named: str) -> None:
    code, _, err = call(capsys, "shock", "simulate", "cn-8w", "--db", db, *flags)
    assert code != 0
    assert named in err


def test_every_policy_rule_and_curve_runs(db: str, capsys: pytest.CaptureFixture[str]) -> None:
    for flags in (
        ["--policy", "order-up-to", "--target-weeks", "3"],
        ["--rationing", "priority", "--recovery", "convex"],
        ["--rationing", "smaller-first", "--recovery", "concave", "--backlog", "0.5"],
    ):
        code, out, err = call(capsys, "shock", "simulate", "cn-8w", "--db", db, "-f", "json", *flags)
        assert code == 0, err
        (s,) = json.loads(out)["tables"]["summary"]
        assert s["performance impact [RUB]"] >= s["TTR performance impact [RUB]"] - 1e-6


def test_montecarlo_simulates_the_worst_runs(db: str, capsys: pytest.CaptureFixture[str]) -> None:
    args = ["shock", "montecarlo", "--runs", "300", "--seed", "2", "--window", "8", "--site-probability", "0.05"]
    code, out, err = call(capsys, *args, "--simulate", "--worst", "2", "--db", db, "-f", "json")
    assert code == 0, err
    tables = json.loads(out)["tables"]
    assert len(tables["simulated runs"]) == 6
    assert [m["model"] for m in tables["models"]] == ["propagation", "simulation"]
    assert "summary" in tables
