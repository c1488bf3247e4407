"""Glint's Horizon plugin: the "Image Distribution" panel under Project → Compute.

The page embeds the Glint panel (<glint-panel>) served by the Glint API and hands
it the logged-in user's Keystone token, so the user does not log in twice.
"""
