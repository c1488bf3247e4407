# Horizon pluggable settings for Glint's "Image Distribution" panel.
# Copy or link this file into openstack_dashboard/local/enabled/ and put the
# directory holding glint_horizon/ on Horizon's Python path.

# The slug of the panel (glint_horizon.panel.ImageDistribution.slug).
PANEL = 'glint_image_distribution'
# Project → Compute.
PANEL_DASHBOARD = 'project'
PANEL_GROUP = 'compute'
# Where the panel class lives.
ADD_PANEL = 'glint_horizon.panel.ImageDistribution'
# Makes Django find glint_horizon's templates.
ADD_INSTALLED_APPS = ['glint_horizon']
