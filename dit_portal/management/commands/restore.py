"""`manage.py restore ARCHIVE`: restore a backup into a new, empty database and private folder."""

from django.core.management.base import BaseCommand, CommandError

from dit_portal.backup import BackupError, restore_backup


class Command(BaseCommand):
    help = "Restore a backup archive into a new, empty database and an empty private files folder."

    def add_arguments(self, parser):
        parser.add_argument("archive", help="The .tar file `manage.py backup` wrote.")
        parser.add_argument(
            "--insecure",
            action="store_true",
            help="Restore an archive without checking its signature (unsigned, or signed with another key).",
        )

    def handle(self, *args, archive, insecure, **options):
        try:
            restored = restore_backup(archive, insecure=insecure)
        except BackupError as error:
            raise CommandError(str(error)) from error
        self.stdout.write(
            self.style.SUCCESS(
                f"Restored {restored.rows} rows in {restored.tables} tables and {restored.files} private files; "
                "row counts and checksums match the backup."
            )
        )
