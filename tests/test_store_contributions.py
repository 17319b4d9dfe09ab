"""Contributions, provenance and job requesters in the store, on SQLite and PostgreSQL."""

from __future__ import annotations

import sqlalchemy as sa

from importsub.store import Store, accounts
from importsub.store import contributions as contrib

PASSWORD = "correct horse battery"  # test accounts only


def _users(store: Store) -> dict[str, accounts.User]:
    with store.engine.begin() as conn:
        return {
            name: accounts.create_user(conn, username=name, password=PASSWORD, role=role, organization=org)
            for name, role, org in (
                ("avto", "analyst", "AVTO"),
                ("brake", "analyst", "BRAKE"),
                ("ministry", "programme", None),
                ("admin", "admin", None),
                ("avto-viewer", "viewer", "AVTO"),
            )
        }


def test_a_draft_is_stored_decided_once_and_its_values_get_provenance(store_url: str) -> None:
    store = Store(store_url)
    users = _users(store)
    changes = {"upserts": {"inventory": [{"site": "AVTO-TLT", "part": "BRK", "units": 12.5}]}, "deletes": {}}
    with store.engine.begin() as conn:
        draft = contrib.create_contribution(
            conn,
            dataset="plant",
            base_version=2,
            user_id=users["avto"].id,
            username="avto",
            organization="AVTO",
            source="slice.xlsx",
            changes=changes,
            contradictions=[{"kind": "shares", "message": "x"}],
        )
    assert draft.status == "draft"
    assert draft.upserts == changes["upserts"]
    assert draft.deletes == {}
    assert draft.submitted_at.tzinfo is not None
    with store.engine.begin() as conn:
        assert [c.id for c in contrib.list_contributions(conn, dataset="plant", organization="AVTO")] == [draft.id]
        assert contrib.list_contributions(conn, dataset="plant", organization="BRAKE") == []
        assert contrib.list_contributions(conn, dataset="plant") == []  # no organisation: none of its own
        assert len(contrib.list_contributions(conn, dataset="plant", every_organization=True)) == 1
        assert contrib.decide_contribution(
            conn, contribution_id=draft.id, status="accepted", decided_by="ministry", version=3
        )
        # decided once: a second decision (a race) changes nothing
        assert not contrib.decide_contribution(
            conn, contribution_id=draft.id, status="rejected", decided_by="admin", reason="late"
        )
        done = contrib.get_contribution(conn, contribution_id=draft.id)
        assert done is not None
        assert (done.status, done.version, done.decided_by, done.reason) == ("accepted", 3, "ministry", None)
        key = contrib.record_key(["AVTO-TLT", "BRK"])
        n = contrib.record_provenance(
            conn,
            contribution=done,
            version=3,
            accepted_by="ministry",
            changes=[("inventory", key, "units", "added"), ("inventory", "AVTO-TLT|CAR", "*", "deleted")],
        )
        assert n == 2
    with store.engine.connect() as conn:
        entries = contrib.provenance_of(conn, dataset="plant", table="inventory", record=key)
        assert [(e.field, e.change, e.username, e.organization, e.contribution_id, e.version) for e in entries] == [
            ("units", "added", "avto", "AVTO", draft.id, 3)
        ]
        assert entries[0].submitted_at == draft.submitted_at
        assert entries[0].accepted_at.tzinfo is not None
        assert len(contrib.provenance_of(conn, dataset="plant")) == 2
        assert contrib.provenance_of(conn, dataset="other") == []
    store.close()


def test_job_requesters_decide_who_sees_a_job(store_url: str) -> None:
    store = Store(store_url)
    users = _users(store)
    with store.engine.begin() as conn:
        mine = accounts.create_job(
            conn, kind="demand", params={}, input_hash="h1", dataset="plant", version=1, created_by=users["avto"].id
        )
        accounts.add_requester(conn, job_id=mine.id, user_id=users["avto"].id, organization="AVTO")
        accounts.add_requester(conn, job_id=mine.id, user_id=users["avto"].id, organization="AVTO")  # once
        platform = accounts.create_job(
            conn, kind="demand", params={}, input_hash="h2", dataset="plant", version=1, created_by=users["admin"].id
        )
        accounts.add_requester(conn, job_id=platform.id, user_id=users["admin"].id, organization=None)
    with store.engine.begin() as conn:
        assert accounts.job_requester_ids(conn, job_id=mine.id) == [users["avto"].id]
        seen = {who: [j.id for j in accounts.list_jobs(conn, visible_to=users[who])] for who in users}
        assert seen["avto"] == [platform.id, mine.id]
        assert seen["avto-viewer"] == [platform.id]  # not the other users of the requester's organisation
        assert not accounts.job_visible(conn, job_id=mine.id, user=users["avto-viewer"])
        assert seen["brake"] == [platform.id]  # an administrator's job is shown to everyone
        assert seen["ministry"] == seen["admin"] == [platform.id, mine.id]
        assert not accounts.job_visible(conn, job_id=mine.id, user=users["brake"])
        assert accounts.job_visible(conn, job_id=mine.id, user=users["ministry"])
        # the same inputs asked for again: the shared job gets a second requester
        accounts.add_requester(conn, job_id=mine.id, user_id=users["brake"].id, organization="BRAKE")
        assert accounts.job_visible(conn, job_id=mine.id, user=users["brake"])
        assert accounts.job_requester_ids(conn, job_id=mine.id) == [users["avto"].id, users["brake"].id]
        # deleting a job deletes its requesters
        conn.execute(sa.delete(accounts.jobs).where(accounts.jobs.c.id == mine.id))
        assert accounts.job_requester_ids(conn, job_id=mine.id) == []
    store.close()


def test_the_migration_makes_each_jobs_creator_its_requester(store_url: str) -> None:
    """Migration 0005 on a store with jobs: whoever created a job becomes its requester; down and up again."""
    from alembic import command
    from alembic.config import Config

    from importsub.store import MIGRATIONS

    def migrate(step: str, target: str) -> None:
        cfg = Config()
        cfg.set_main_option("script_location", str(MIGRATIONS))
        with store.engine.begin() as conn:
            cfg.attributes["connection"] = conn
            getattr(command, step)(cfg, target)

    store = Store(store_url)
    users = _users(store)
    migrate("downgrade", "0004")
    with store.engine.connect() as conn:
        assert not sa.inspect(conn).has_table("job_requesters")
    with store.engine.begin() as conn:
        job = accounts.create_job(
            conn, kind="demand", params={}, input_hash="h", dataset="plant", version=1, created_by=users["brake"].id
        )
        accounts.create_job(
            conn, kind="demand", params={}, input_hash="h0", dataset="plant", version=1, created_by=None
        )
    migrate("upgrade", "head")
    with store.engine.connect() as conn:
        assert accounts.job_requester_ids(conn, job_id=job.id) == [users["brake"].id]
        org = conn.execute(sa.text("SELECT organization FROM job_requesters")).scalars().all()
        assert org == ["BRAKE"]
    store.close()


def test_versions_of_an_organisation_count_its_users_and_its_accepted_contributions(store_url: str) -> None:
    from datetime import UTC, datetime, timedelta

    from importsub.model.dataset import Dataset

    store = Store(store_url)
    users = _users(store)
    hour_ago = datetime.now(UTC) - timedelta(hours=1)
    store.write_dataset(Dataset.empty("plant"), created_by="avto")
    store.write_dataset(Dataset.empty("plant"), created_by="ministry")
    with store.engine.begin() as conn:
        for org, user in (("AVTO", "avto"), ("BRAKE", "brake")):
            c = contrib.create_contribution(
                conn,
                dataset="plant",
                base_version=1,
                user_id=users[user].id,
                username=user,
                organization=org,
                source="api",
                changes={},
            )
            if org == "AVTO":
                contrib.decide_contribution(conn, contribution_id=c.id, status="accepted", decided_by="ministry")
    with store.engine.connect() as conn:
        avto = contrib.versions_of_organization(conn, organization="AVTO", since=hour_ago)
        assert len(avto) == 2  # its analyst's version and its accepted contribution
        assert all(t.tzinfo is not None for t in avto)
        assert contrib.versions_of_organization(conn, organization="BRAKE", since=hour_ago) == []  # a draft only
        assert contrib.versions_of_organization(conn, organization="AVTO", since=datetime.now(UTC)) == []
    store.close()


def test_open_drafts_are_counted_per_organisation_over_every_dataset(store_url: str) -> None:
    store = Store(store_url)
    users = _users(store)

    def draft(who: str, dataset: str) -> contrib.Contribution:
        with store.writing() as conn:
            return contrib.create_contribution(
                conn,
                dataset=dataset,
                base_version=1,
                user_id=users[who].id,
                username=who,
                organization=users[who].organization,
                source="api",
                changes={"upserts": {}, "deletes": {}},
            )

    made = [draft("avto", "plant"), draft("avto-viewer", "other"), draft("brake", "plant"), draft("ministry", "plant")]
    with store.writing() as conn:
        assert contrib.open_drafts(conn, organization="AVTO") == 2  # both AVTO users, both datasets
        assert contrib.open_drafts(conn, organization="BRAKE") == 1
        assert contrib.open_drafts(conn, organization=None, user_id=users["ministry"].id) == 1
        assert contrib.open_drafts(conn, organization=None, user_id=users["admin"].id) == 0
        contrib.decide_contribution(conn, contribution_id=made[0].id, status="rejected", decided_by="ministry")
        assert contrib.open_drafts(conn, organization="AVTO") == 1  # a decided one no longer waits
    store.close()


def test_two_submissions_counting_at_once_cannot_both_pass_a_cap(store_url: str) -> None:
    """The count of open drafts waits for another transaction that counted for the same organisation and has not
    ended (PostgreSQL: a transaction lock per organisation; SQLite: one writer at a time)."""
    import threading
    import time

    store = Store(store_url)
    users = _users(store)
    counted, release = threading.Event(), threading.Event()
    seen: dict[str, int] = {}

    def first() -> None:
        with store.writing() as conn:
            seen["first"] = contrib.open_drafts(conn, organization="AVTO")
            counted.set()
            release.wait(10)
            contrib.create_contribution(
                conn,
                dataset="plant",
                base_version=1,
                user_id=users["avto"].id,
                username="avto",
                organization="AVTO",
                source="api",
                changes={"upserts": {}, "deletes": {}},
            )

    def second() -> None:
        counted.wait(10)
        with store.writing() as conn:
            seen["second"] = contrib.open_drafts(conn, organization="AVTO")

    threads = [threading.Thread(target=first), threading.Thread(target=second)]
    for t in threads:
        t.start()
    assert counted.wait(10)
    time.sleep(0.5)
    assert "second" not in seen  # waiting for the first to end
    release.set()
    for t in threads:
        t.join(20)
    assert seen == {"first": 0, "second": 1}
    store.close()
