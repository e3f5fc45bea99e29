"""`manage.py backup`: the database and the private files in one archive (see dit_portal/backup.py)."""

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from dit_portal.backup import BackupError, create_backup


class Command(BaseCommand):
    help = "Write a backup archive of the database and the private files."

    def add_arguments(self, parser):
        parser.add_argument(
            "--output",
            default=str(settings.BACKUP_DIR),
            help="Folder to write the archive into (default: BACKUP_DIR, var/backups).",
        )
        parser.add_argument(
            "--insecure", action="store_true", help="Write an unsigned archive when BACKUP_KEY is not set."
        )

    def handle(self, *args, output, insecure, **options):
        try:
            path = create_backup(output, insecure=insecure)
        except BackupError as error:
            raise CommandError(str(error)) from error
        self.stdout.write(str(path))
