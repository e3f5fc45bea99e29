from .access import PROVIDER_USER, can_use_admin, has_role
from .models import Page


def portal(request):
    """The navigation menu, read lazily so pages that do not render it pay nothing."""

    def menu_pages():
        return list(
            Page.objects.filter(is_published=True, show_in_menu=True)
            .exclude(slug="home")
            .only("slug", "title", "menu_title")
        )

    return {
        "menu_pages": menu_pages,
        "user_can_use_admin": lambda: can_use_admin(request.user),
        "user_is_provider": lambda: has_role(request.user, PROVIDER_USER),
    }
