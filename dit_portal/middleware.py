"""Response headers the portal adds to every answer."""

from django.conf import settings


class PermissionsPolicyMiddleware:
    """Permissions-Policy (Django has no setting for it): browser features the portal never
    uses are turned off."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        response.headers.setdefault("Permissions-Policy", settings.PERMISSIONS_POLICY)
        return response
