"""Reports produced without the browser, for sending on a schedule (``python -m reports``).

They read the live cache with full access, like ``python -m metrics``: they are for analysts and
administrators on the server, and every number in them comes from the registered measures."""
