"""Notifications: who hears what (``routes``), what a notice says (``notices``), the status
updates of open severe records (``cadence``), delivery from the outbox (``dispatch``), and
what ``hotfix notify status`` / ``retry`` show and do (``outbox``). docs/notifications.md"""
