"""Core's platform room: the app hooks through which domain apps plug in (``hooks``)."""
