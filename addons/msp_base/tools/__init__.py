from .sql import bulk_update
