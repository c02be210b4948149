"""The coordinators' status page (`python -m bot web`): a small server-rendered, read-only web app."""
