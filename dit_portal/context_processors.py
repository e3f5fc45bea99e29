from .access import PROVIDER_USER, can_use_admin, has_role
from .models import Page


def portal(request):
    """The navigation menu, read lazily so pages that do not render it pay nothing."""

    loaded = []

    def menu_pages():
        # The menu lists the pages in two groups: one query, however often it is asked.
        if not loaded:
            loaded.append(
                list(
                    Page.objects.filter(is_published=True, show_in_menu=True)
                    .exclude(slug="home")
                    .only("slug", "title", "menu_title")
                )
            )
        return loaded[0]

    return {
        "menu_pages": menu_pages,
        "user_can_use_admin": lambda: can_use_admin(request.user),
        "user_is_provider": lambda: has_role(request.user, PROVIDER_USER),
    }
