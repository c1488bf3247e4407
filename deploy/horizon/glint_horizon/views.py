from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

from horizon import views


def glint_api_url():
    """The Glint API as the user's browser reaches it, without a trailing slash."""
    url = getattr(settings, 'GLINT_API_URL', '') or ''
    if not url:
        raise ImproperlyConfigured(
            'GLINT_API_URL is not set; add it to local_settings '
            '(e.g. GLINT_API_URL = "https://glint.example.org")')
    return url.rstrip('/')


class IndexView(views.HorizonTemplateView):
    """The Glint panel, authenticated with the Horizon user's Keystone token.

    Horizon's dashboards only route logged-in users to their panels, so
    request.user is an openstack_auth User whose token Horizon got from
    Keystone at login (project-scoped to the current project).
    """
    template_name = 'glint_horizon/index.html'
    page_title = _("Image Distribution")

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        token = getattr(self.request.user, 'token', None)
        context['glint_api_url'] = glint_api_url()
        context['glint_token'] = getattr(token, 'id', None) or ''
        return context
