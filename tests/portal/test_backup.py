"""`make backup` / `make restore`: an archive of the database and the private files restores
into a fresh database with the same row count in every table and the same file bytes, also
when the site writes while the backup is taken; archives are signed; a restore that fails
leaves the target empty."""

import hashlib
import hmac
import io
import json
import os
import sqlite3
import subprocess
import sys
import tarfile
import threading
import time
from pathlib import Path

import psycopg2
import pytest
from django.conf import settings
from django.core.files.base import ContentFile
from django.db import connection
from django.utils import timezone

from certificates import services
from certificates.enums import CertificateKind
from dit_portal.audit import log_action
from dit_portal.backup import BackupError, _read_archive, create_backup, private_files, restore_backup, row_counts
from dit_portal.files import private_storage
from tests.factories import UserFactory
from tests.files import PDF_BYTES

BASE_DIR = Path(settings.BASE_DIR)
PDF = PDF_BYTES  # a real PDF: uploads are read with pypdf


def _checksums(root):
    return {
        path.relative_to(root).as_posix(): hashlib.sha256(path.read_bytes()).hexdigest()
        for path in sorted(Path(root).rglob("*"))
        if path.is_file()
    }


BACKUP_KEY = "test-backup-signing-key"


@pytest.fixture(autouse=True)
def _backup_key(settings):
    settings.BACKUP_KEY = BACKUP_KEY


def _manage(*args, env):
    env = {"BACKUP_KEY": BACKUP_KEY, **env}
    return subprocess.run(
        [sys.executable, "manage.py", *args], cwd=BASE_DIR, env=env, capture_output=True, text=True, timeout=300
    )


def _some_portal_data():
    people = UserFactory.create_batch(3)
    for person in people:
        log_action(person, "tests.backup.example", data={"email": person.email})
    storage = private_storage()
    storage.save("evidence/certificate.pdf", ContentFile(PDF))
    storage.save("case-studies/2026/study.pdf", ContentFile(PDF + b"% a second file\n"))


class FreshPostgresDatabase:
    """A new, empty PostgreSQL database beside the test database, dropped afterwards."""

    def __init__(self):
        config = connection.settings_dict
        self.name = f"{config['NAME']}_restore"
        self.params = {
            key: value
            for key, value in {
                "host": config.get("HOST"),
                "port": config.get("PORT"),
                "user": config.get("USER"),
                "password": config.get("PASSWORD"),
            }.items()
            if value
        }

    def _admin(self, sql):
        admin = psycopg2.connect(dbname="postgres", **self.params)
        admin.autocommit = True
        try:
            with admin.cursor() as cursor:
                cursor.execute(sql)
        finally:
            admin.close()

    def __enter__(self):
        self._admin(f'DROP DATABASE IF EXISTS "{self.name}"')
        self._admin(f'CREATE DATABASE "{self.name}"')
        return self

    def __exit__(self, *exc):
        self._admin(f'DROP DATABASE IF EXISTS "{self.name}"')

    @property
    def url(self):
        user = self.params.get("user", "")
        password = f":{self.params['password']}" if self.params.get("password") else ""
        host = self.params.get("host", "localhost")
        port = f":{self.params['port']}" if self.params.get("port") else ""
        return f"postgres://{user}{password}@{host}{port}/{self.name}"

    def row_counts(self):
        restored = psycopg2.connect(dbname=self.name, **self.params)
        try:
            with restored.cursor() as cursor:
                cursor.execute("SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY tablename")
                tables = [row[0] for row in cursor.fetchall()]
                counts = {}
                for table in tables:
                    cursor.execute(f'SELECT COUNT(*) FROM "{table}"')  # noqa: S608 - names from pg_tables
                    counts[table] = cursor.fetchone()[0]
                return counts
        finally:
            restored.close()


@pytest.mark.needs_postgres
@pytest.mark.django_db(transaction=True)
def test_a_backup_restores_into_a_fresh_postgres_database_with_every_row_and_file(tmp_path):
    _some_portal_data()
    archive = create_backup(tmp_path / "backups")
    assert archive.suffix == ".tar"
    assert oct(archive.stat().st_mode & 0o777) == "0o600"
    expected_counts = row_counts()
    expected_files = _checksums(private_storage().location)
    assert len(expected_files) == 2 and expected_counts["portal_auditentry"] >= 3

    restored_private = tmp_path / "restored-private"
    with FreshPostgresDatabase() as fresh:
        env = {**os.environ, "DATABASE_URL": fresh.url, "PRIVATE_MEDIA_ROOT": str(restored_private)}
        result = _manage("restore", str(archive), env=env)
        assert result.returncode == 0, result.stderr
        assert "row counts and checksums match" in result.stdout
        assert fresh.row_counts() == expected_counts
    assert _checksums(restored_private) == expected_files


@pytest.mark.needs_postgres
@pytest.mark.django_db(transaction=True)
def test_a_tampered_archive_is_refused_and_nothing_is_restored(tmp_path):
    _some_portal_data()
    archive = create_backup(tmp_path / "backups")
    tampered = tmp_path / "tampered.tar"
    with tarfile.open(archive) as source, tarfile.open(tampered, "w") as target:
        for member in source.getmembers():
            data = source.extractfile(member).read()
            if member.name == "private/evidence/certificate.pdf":
                data = data.replace(b"Catalog", b"Catalox")
            member.size = len(data)
            target.addfile(member, io.BytesIO(data))

    restored_private = tmp_path / "restored-private"
    with FreshPostgresDatabase() as fresh:
        env = {**os.environ, "DATABASE_URL": fresh.url, "PRIVATE_MEDIA_ROOT": str(restored_private)}
        result = _manage("restore", str(tampered), env=env)
        assert result.returncode != 0
        assert "evidence/certificate.pdf" in result.stderr
        assert fresh.row_counts() == {}
    assert not restored_private.exists() or not any(restored_private.iterdir())


@pytest.mark.needs_postgres
@pytest.mark.django_db(transaction=True)
def test_restoring_over_a_database_that_has_tables_is_refused_and_changes_nothing(tmp_path):
    _some_portal_data()
    archive = create_backup(tmp_path / "backups")
    UserFactory()
    before = row_counts()
    with pytest.raises(BackupError, match="restore into a new, empty database"):
        restore_backup(archive)
    assert row_counts() == before


def test_an_archive_with_a_path_outside_its_folder_is_refused(tmp_path):
    evil = tmp_path / "evil.tar"
    with tarfile.open(evil, "w") as archive:
        data = b"owned"
        member = tarfile.TarInfo("private/../../outside.txt")
        member.size = len(data)
        archive.addfile(member, io.BytesIO(data))
    with pytest.raises(BackupError, match="unsafe path"):
        _read_archive(evil, tmp_path / "scratch")
    assert not (tmp_path / "outside.txt").exists()


def test_the_local_sqlite_setup_backs_up_and_restores_too(tmp_path):
    """`make run` keeps its database in SQLite under var/; the same two commands work there."""
    source, target = tmp_path / "source", tmp_path / "target"
    base_env = {key: value for key, value in os.environ.items() if key not in ("DATABASE_URL", "REDIS_URL")}
    base_env.update(DEBUG="true", SECRET_KEY="test-only-secret-key")
    source_env = {**base_env, "VAR_DIR": str(source)}
    source.mkdir()
    migrated = _manage("migrate", "--no-input", env=source_env)
    assert migrated.returncode == 0, migrated.stderr
    (source / "private" / "evidence").mkdir(parents=True)
    (source / "private" / "evidence" / "certificate.pdf").write_bytes(PDF)

    backed_up = _manage("backup", "--output", str(tmp_path / "backups"), env=source_env)
    assert backed_up.returncode == 0, backed_up.stderr
    archive = backed_up.stdout.strip().splitlines()[-1]

    target.mkdir()
    restored = _manage("restore", archive, env={**base_env, "VAR_DIR": str(target)})
    assert restored.returncode == 0, restored.stderr

    def counts(database):
        db = sqlite3.connect(database)
        try:
            tables = [row[0] for row in db.execute("SELECT name FROM sqlite_master WHERE type = 'table'")]
            query = 'SELECT COUNT(*) FROM "{}"'
            return {table: db.execute(query.format(table)).fetchone()[0] for table in tables}
        finally:
            db.close()

    assert counts(target / "db.sqlite3") == counts(source / "db.sqlite3")
    assert counts(target / "db.sqlite3")["trainings_course"] > 0
    assert _checksums(target / "private") == _checksums(source / "private")
    assert private_files(target / "private")["evidence/certificate.pdf"]["size"] == len(PDF)


# A live site, signatures, damaged archives ------------------------------------------------


class Writer:
    """The site at work while a backup runs: an audit entry every 50 ms and a private file
    every 100 ms, each on the writer's own database connection."""

    def __init__(self):
        self.stop = threading.Event()
        self.written = 0
        self.thread = threading.Thread(target=self.run)

    def run(self):
        person = UserFactory()
        storage = private_storage()
        try:
            while not self.stop.is_set():
                log_action(person, "tests.backup.live_write", data={"n": self.written})
                if self.written % 2 == 0:
                    storage.save(f"live/{self.written}.pdf", ContentFile(PDF))
                self.written += 1
                self.stop.wait(0.05)
        finally:
            connection.close()

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.stop.set()
        self.thread.join(timeout=30)


def _rewrite(archive, target, change, *, key=BACKUP_KEY):
    """A copy of `archive` with `change(name, data) -> data` applied to each member, the
    manifest signed again with `key` (None: the signature copied as it was)."""
    with tarfile.open(archive) as source:
        members = [(member, source.extractfile(member).read()) for member in source.getmembers()]
    with tarfile.open(target, "w") as copy:
        manifest = None
        for member, data in members:
            data = change(member.name, data)
            if member.name == "manifest.json":
                manifest = data
            if member.name == "manifest.sig" and key is not None:
                data = hmac.new(key.encode(), manifest, hashlib.sha256).hexdigest().encode()
            member.size = len(data)
            copy.addfile(member, io.BytesIO(data))
    return target


def _restore_env(fresh, restored_private):
    return {**os.environ, "DATABASE_URL": fresh.url, "PRIVATE_MEDIA_ROOT": str(restored_private)}


@pytest.mark.needs_postgres
@pytest.mark.django_db(transaction=True)
def test_a_backup_taken_while_the_site_writes_restores_whole(tmp_path):
    """The issue's case: with an insert every 50 ms the restore stopped on "Row counts differ"."""
    _some_portal_data()
    with Writer() as writer:
        while writer.written < 5:
            time.sleep(0.05)
        archive = create_backup(tmp_path / "backups")
        live_url = FreshPostgresDatabase().url.replace(FreshPostgresDatabase().name, connection.settings_dict["NAME"])
        result = _manage(
            "backup",
            "--output",
            str(tmp_path / "backups-cli"),
            env={**os.environ, "DATABASE_URL": live_url, "PRIVATE_MEDIA_ROOT": private_storage().location},
        )
        assert result.returncode == 0, result.stderr
    assert writer.written > 5
    for made in (archive, Path(result.stdout.strip().splitlines()[-1])):
        restored_private = tmp_path / f"restored-{made.name}"
        with FreshPostgresDatabase() as fresh:
            restored = _manage("restore", str(made), env=_restore_env(fresh, restored_private))
            assert restored.returncode == 0, restored.stderr
            with tarfile.open(made) as opened:
                manifest = json.load(opened.extractfile("manifest.json"))
            assert fresh.row_counts() == manifest["row_counts"]
        assert {
            name: {"sha256": sha, "size": (restored_private / name).stat().st_size}
            for name, sha in _checksums(restored_private).items()
        } == manifest["files"]
        assert any(name.startswith("live/") for name in manifest["files"])


@pytest.mark.needs_postgres
@pytest.mark.django_db(transaction=True)
def test_a_restore_that_fails_part_way_leaves_the_target_empty(tmp_path):
    _some_portal_data()
    archive = create_backup(tmp_path / "backups")

    def wrong_count(name, data):
        if name != "manifest.json":
            return data
        return data.replace(b'"portal_auditentry": ', b'"portal_auditentry": 1000')

    wrong = _rewrite(archive, tmp_path / "wrong-counts.tar", wrong_count)
    restored_private = tmp_path / "restored-private"
    with FreshPostgresDatabase() as fresh:
        result = _manage("restore", str(wrong), env=_restore_env(fresh, restored_private))
        assert result.returncode != 0
        assert "Row counts differ after the restore: portal_auditentry" in result.stderr
        assert "were emptied again; the restore can be run again" in result.stderr
        assert fresh.row_counts() == {}
        assert not any(restored_private.iterdir())
        # And the good archive then restores into the same target.
        again = _manage("restore", str(archive), env=_restore_env(fresh, restored_private))
        assert again.returncode == 0, again.stderr


@pytest.mark.needs_postgres
@pytest.mark.django_db(transaction=True)
def test_archives_are_signed_and_a_changed_unsigned_or_foreign_one_is_refused(tmp_path, settings):
    _some_portal_data()
    archive = create_backup(tmp_path / "backups")
    with tarfile.open(archive) as opened:
        assert "manifest.sig" in opened.getnames()

    def swap_file(name, data):
        # The attack of the issue: change a private file and its SHA-256 in the manifest.
        original = hashlib.sha256(PDF).hexdigest()
        if name == "private/evidence/certificate.pdf":
            return PDF + b"% changed\n"
        if name == "manifest.json":
            changed = hashlib.sha256(PDF + b"% changed\n").hexdigest()
            return data.replace(original.encode(), changed.encode()).replace(
                f'"size": {len(PDF)}'.encode(), f'"size": {len(PDF) + 10}'.encode()
            )
        return data

    forged = _rewrite(archive, tmp_path / "forged.tar", swap_file, key=None)
    foreign = _rewrite(archive, tmp_path / "foreign.tar", lambda name, data: data, key="another key")
    unsigned = tmp_path / "unsigned.tar"
    with tarfile.open(archive) as source, tarfile.open(unsigned, "w") as target:
        for member in source.getmembers():
            if member.name != "manifest.sig":
                target.addfile(member, source.extractfile(member))

    restored_private = tmp_path / "restored-private"
    with FreshPostgresDatabase() as fresh:
        env = _restore_env(fresh, restored_private)
        for refused, reason in (
            (forged, "signature does not match BACKUP_KEY"),
            (foreign, "signature does not match BACKUP_KEY"),
            (unsigned, "The archive is not signed"),
        ):
            result = _manage("restore", str(refused), env=env)
            assert result.returncode != 0 and reason in result.stderr, result.stderr
            assert fresh.row_counts() == {}
        assert not restored_private.exists() or not any(restored_private.iterdir())
        trusted = _manage("restore", str(unsigned), "--insecure", env=env)
        assert trusted.returncode == 0, trusted.stderr

    settings.BACKUP_KEY = ""
    with pytest.raises(BackupError, match="BACKUP_KEY is not set"):
        create_backup(tmp_path / "unsigned")
    with tarfile.open(create_backup(tmp_path / "unsigned", insecure=True)) as opened:
        assert "manifest.sig" not in opened.getnames()


@pytest.mark.needs_postgres
@pytest.mark.django_db(transaction=True)
def test_a_truncated_archive_is_refused_in_one_line(tmp_path):
    _some_portal_data()
    archive = create_backup(tmp_path / "backups")
    truncated = tmp_path / "truncated.tar"
    data = archive.read_bytes()
    restored_private = tmp_path / "restored-private"
    with FreshPostgresDatabase() as fresh:
        # Half-way through a file, inside the manifest at the end, inside the first header.
        manifest_at = data.rindex(b'"format": 1')
        for cut in (len(data) // 2, manifest_at, 300):
            truncated.write_bytes(data[:cut])
            result = _manage("restore", str(truncated), env=_restore_env(fresh, restored_private))
            assert result.returncode != 0
            assert "Traceback" not in result.stderr
            lines = result.stderr.strip().splitlines()
            assert len(lines) == 1 and lines[0].startswith("CommandError:"), result.stderr
            assert "truncated or damaged" in lines[0] or "no readable manifest" in lines[0], lines[0]
            assert fresh.row_counts() == {}


SERVE = """
import json, sys
from django.test import Client
from certificates.models import Certificate
certificate = Certificate.objects.get()
client = Client()
signed_in = client.post("/accounts/login/", {"login": sys.argv[1], "password": sys.argv[2]})
pdf = client.get(f"/certificates/{certificate.pk}/download/")
verify = Client().get(f"/certificates/verify/{certificate.verification_code}/")
print(json.dumps({
    "signed_in": signed_in.status_code, "location": signed_in.get("Location"),
    "pdf": pdf.status_code, "pdf_bytes": b"".join(pdf.streaming_content).hex() if pdf.status_code == 200 else "",
    "verify": verify.status_code, "holder": certificate.holder_name in verify.content.decode(),
}))
"""


@pytest.mark.needs_postgres
@pytest.mark.django_db(transaction=True)
def test_a_restored_site_serves_sign_in_private_files_and_certificate_checks(
    tmp_path, settings, django_capture_on_commit_callbacks
):
    # The password is stored as the portal stores it (the suite's fast hasher is not the portal's).
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.PBKDF2PasswordHasher"]
    holder = UserFactory(full_name="Hana Holder", email="hana@example.org")
    with django_capture_on_commit_callbacks(execute=True):
        certificate = services.issue_certificate(
            holder=holder,
            title="5-Day DIT Training",
            kind=CertificateKind.COURSE_COMPLETION,
            achieved_on=timezone.localdate(),
        )
    certificate.refresh_from_db()
    pdf_bytes = certificate.pdf.read()
    assert pdf_bytes.startswith(b"%PDF")
    archive = create_backup(tmp_path / "backups")

    restored_private = tmp_path / "restored-private"
    with FreshPostgresDatabase() as fresh:
        # DEBUG serves the static files plainly (no collectstatic manifest in a test).
        env = {**_restore_env(fresh, restored_private), "ALLOWED_HOSTS": "testserver", "DEBUG": "true"}
        assert _manage("restore", str(archive), env=env).returncode == 0
        served = _manage(
            "shell",
            "-c",
            SERVE.replace("sys.argv[1]", repr(holder.email)).replace("sys.argv[2]", repr("correct horse battery")),
            env=env,
        )
    assert served.returncode == 0, served.stderr
    answers = json.loads(served.stdout.strip().splitlines()[-1])
    assert answers["signed_in"] == 302 and answers["location"] == "/members/", answers
    assert answers["pdf"] == 200 and bytes.fromhex(answers["pdf_bytes"]) == pdf_bytes
    assert answers["verify"] == 200 and answers["holder"]
