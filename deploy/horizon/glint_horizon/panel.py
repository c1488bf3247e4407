from django.utils.translation import gettext_lazy as _

import horizon


class ImageDistribution(horizon.Panel):
    name = _("Image Distribution")
    slug = 'glint_image_distribution'
    # Any logged-in user of the project dashboard; Glint decides per request
    # what the token's user may see and do.
    permissions = ()
