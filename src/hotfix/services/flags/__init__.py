"""Feature flags kept on the record: ``catalog`` derives every flag's definition from its
``flag`` records' events; ``changes`` proposes, sets and kills flags through ``Records``."""
