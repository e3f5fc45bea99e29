from django.db import models


class ReferenceType(models.TextChoices):
    ARTICLE = "article", "Journal article"
    BOOK = "book", "Book"
    CHAPTER = "chapter", "Chapter in a book"
    REPORT = "report", "Report or online document"
