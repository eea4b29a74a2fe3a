"""Feature flags: their definitions (``model``), targeting rules (``rules``), the sticky
percentage split (``split``) and evaluation with OFREP's reasons and error codes
(``evaluate``). Pure: a flag's definition is derived from its record's events by
``hotfix.services.flags``."""
