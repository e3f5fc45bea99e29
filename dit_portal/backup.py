"""Backups of the whole portal: the database and the private files, in one archive.

An archive is a tar file holding
- `manifest.json`: when and from what it was made, the row count of every table and the
  SHA-256 and size of every private file;
- `database.dump` (PostgreSQL, `pg_dump --format=custom`) or `database.sqlite3` (SQLite,
  a consistent copy made with SQLite's backup API);
- `private/...`: the private files, under their stored names.

Restoring checks the whole archive against its manifest before it writes anything, refuses
a database that already holds data, and afterwards compares every table's row count and
every file's checksum with the manifest, so a restore that "worked" but lost rows or bytes
fails loudly.
"""

import hashlib
import io
import json
import os
import shutil
import sqlite3
import subprocess  # noqa: S404 - pg_dump and pg_restore are the tools for the job
import tarfile
import tempfile
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from django.db import connections
from django.utils import timezone

FORMAT_VERSION = 1
MANIFEST = "manifest.json"
PRIVATE_PREFIX = "private/"


class BackupError(Exception):
    """A backup or restore that cannot go ahead; the message says why."""


@dataclass
class Restored:
    tables: int
    rows: int
    files: int


def _database(alias="default"):
    return connections[alias]


def _engine(alias="default"):
    vendor = _database(alias).vendor
    if vendor not in ("postgresql", "sqlite"):
        raise BackupError(f"Backups support PostgreSQL and SQLite, not {vendor}.")
    return vendor


def private_root():
    """The folder of the private file storage (a FileSystemStorage)."""
    from dit_portal.files import private_storage

    location = getattr(private_storage(), "location", None)
    if not location:
        raise BackupError("The private storage is not a folder on this machine; back it up with its own tools.")
    return Path(location)


def row_counts(alias="default"):
    """Rows in every table of the database, by table name."""
    connection = _database(alias)
    with connection.cursor() as cursor:
        tables = sorted(connection.introspection.table_names(cursor))
        counts = {}
        for table in tables:
            cursor.execute(f"SELECT COUNT(*) FROM {connection.ops.quote_name(table)}")  # noqa: S608 - names from introspection
            counts[table] = cursor.fetchone()[0]
    return counts


def _sha256(path):
    digest = hashlib.sha256()
    with open(path, "rb") as stream:
        for block in iter(lambda: stream.read(1024 * 1024), b""):
            digest.update(block)
    return digest.hexdigest()


def private_files(root):
    """Every private file under `root`: {relative posix path: {"sha256", "size"}}."""
    files = {}
    if not root.exists():
        return files
    for path in sorted(root.rglob("*")):
        if path.is_file() and not path.is_symlink():
            files[path.relative_to(root).as_posix()] = {"sha256": _sha256(path), "size": path.stat().st_size}
    return files


def _pg_environment(alias="default"):
    config = _database(alias).settings_dict
    environment = {**os.environ, "PGDATABASE": config["NAME"]}
    for key, variable in (("HOST", "PGHOST"), ("PORT", "PGPORT"), ("USER", "PGUSER"), ("PASSWORD", "PGPASSWORD")):
        if config.get(key):
            environment[variable] = str(config[key])
    return environment


def _run(command, environment):
    executable = shutil.which(command[0])
    if executable is None:
        raise BackupError(f"{command[0]} is not installed (PostgreSQL's client tools are needed).")
    result = subprocess.run([executable, *command[1:]], env=environment, capture_output=True, text=True)  # noqa: S603
    if result.returncode != 0:
        raise BackupError(f"{command[0]} failed: {result.stderr.strip()}")
    return result


def _dump_database(folder, alias="default"):
    if _engine(alias) == "postgresql":
        target = folder / "database.dump"
        _run(
            ["pg_dump", "--format=custom", "--no-owner", "--no-privileges", f"--file={target}"], _pg_environment(alias)
        )
        return target
    target = folder / "database.sqlite3"
    source = sqlite3.connect(str(_database(alias).settings_dict["NAME"]))
    try:
        copy = sqlite3.connect(str(target))
        with copy:
            source.backup(copy)
        copy.close()
    finally:
        source.close()
    return target


def create_backup(output_dir, alias="default"):
    """Write a backup archive into `output_dir` and return its path."""
    engine = _engine(alias)
    output_dir = Path(output_dir)
    output_dir.mkdir(parents=True, exist_ok=True)
    root = private_root()
    stamp = timezone.now().strftime("%Y%m%d-%H%M%S")
    archive_path = output_dir / f"dit-portal-{stamp}.tar"
    with tempfile.TemporaryDirectory() as scratch:
        dump = _dump_database(Path(scratch), alias)
        counts = row_counts(alias)
        files = private_files(root)
        manifest = {
            "format": FORMAT_VERSION,
            "created_at": timezone.now().isoformat(),
            "engine": engine,
            "database_file": dump.name,
            "database_sha256": _sha256(dump),
            "row_counts": counts,
            "files": files,
        }
        partial = archive_path.with_suffix(".tar.partial")
        with tarfile.open(partial, "w") as archive:
            data = json.dumps(manifest, indent=2, sort_keys=True).encode()
            info = tarfile.TarInfo(MANIFEST)
            info.size = len(data)
            info.mtime = int(timezone.now().timestamp())
            archive.addfile(info, io.BytesIO(data))
            archive.add(dump, arcname=dump.name)
            for name in files:
                archive.add(root / name, arcname=PRIVATE_PREFIX + name)
        os.chmod(partial, 0o600)
        partial.replace(archive_path)
    return archive_path


def _safe_member_name(name):
    path = PurePosixPath(name)
    if path.is_absolute() or ".." in path.parts:
        raise BackupError(f"The archive holds an unsafe path: {name!r}.")
    return path


def _read_archive(archive_path, scratch):
    """Unpack and check the archive against its manifest; return the manifest."""
    try:
        archive = tarfile.open(archive_path, "r")  # noqa: SIM115 - closed by the `with` below
    except (OSError, tarfile.TarError) as error:
        raise BackupError(f"{archive_path} is not a readable backup archive: {error}") from error
    with archive:
        members = archive.getmembers()
        for member in members:
            _safe_member_name(member.name)
            if not (member.isfile() or member.isdir()):
                raise BackupError(f"The archive holds something other than files: {member.name!r}.")
        try:
            manifest = json.load(archive.extractfile(MANIFEST))
        except (KeyError, ValueError) as error:
            raise BackupError("The archive has no readable manifest.") from error
        if manifest.get("format") != FORMAT_VERSION:
            raise BackupError(f"Unknown backup format {manifest.get('format')!r}.")
        archive.extractall(scratch, members=members, filter="data")
    dump = scratch / manifest["database_file"]
    if not dump.is_file() or _sha256(dump) != manifest["database_sha256"]:
        raise BackupError("The database dump is missing or does not match its checksum.")
    unpacked = private_files(scratch / PRIVATE_PREFIX.rstrip("/"))
    if unpacked != manifest["files"]:
        differing = sorted(_differences(unpacked, manifest))
        raise BackupError(f"Private files do not match the manifest: {', '.join(differing[:5])}.")
    return manifest


def _differences(found, manifest):
    expected = manifest["files"]
    return [name for name in set(found) | set(expected) if found.get(name) != expected.get(name)]


def _existing_tables(alias="default"):
    connection = _database(alias)
    with connection.cursor() as cursor:
        return sorted(connection.introspection.table_names(cursor))


def _restore_database(dump, engine, alias="default"):
    if engine != _engine(alias):
        raise BackupError(f"The backup is of a {engine} database; this portal is configured for {_engine(alias)}.")
    connection = _database(alias)
    if engine == "postgresql":
        connection.close()
        _run(
            [
                "pg_restore",
                "--no-owner",
                "--no-privileges",
                "--exit-on-error",
                "--single-transaction",
                f"--dbname={connection.settings_dict['NAME']}",
                str(dump),
            ],
            _pg_environment(alias),
        )
        return
    target = Path(connection.settings_dict["NAME"])
    connection.close()
    restored = sqlite3.connect(str(target))
    source = sqlite3.connect(str(dump))
    try:
        with restored:
            source.backup(restored)
    finally:
        source.close()
        restored.close()


def restore_backup(archive_path, alias="default"):
    """Restore an archive into an empty database and an empty private folder."""
    root = private_root()
    existing = _existing_tables(alias)
    if existing:
        raise BackupError(
            f"The database already has tables ({', '.join(existing[:3])}, ...); restore into a new, empty database "
            "(do not migrate it first)."
        )
    if private_files(root):
        raise BackupError(f"The private files folder {root} is not empty; restore into an empty folder.")
    with tempfile.TemporaryDirectory() as scratch:
        scratch = Path(scratch)
        manifest = _read_archive(archive_path, scratch)
        _restore_database(scratch / manifest["database_file"], manifest["engine"], alias)
        root.mkdir(parents=True, exist_ok=True)
        source_root = scratch / PRIVATE_PREFIX.rstrip("/")
        for name in manifest["files"]:
            target = root / name
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(source_root / name, target)
            os.chmod(target, 0o600)
    restored_counts = row_counts(alias)
    if restored_counts != manifest["row_counts"]:
        differing = [t for t in manifest["row_counts"] if restored_counts.get(t) != manifest["row_counts"][t]]
        raise BackupError(f"Row counts differ after the restore: {', '.join(differing[:5])}.")
    if private_files(root) != manifest["files"]:
        raise BackupError("Private files differ from the manifest after the restore.")
    return Restored(tables=len(restored_counts), rows=sum(restored_counts.values()), files=len(manifest["files"]))
