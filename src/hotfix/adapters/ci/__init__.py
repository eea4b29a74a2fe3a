"""The team's CI systems as check backends: GitHub Actions, Jenkins, CircleCI (REST APIs over
httpx); ``fake.py`` for service tests."""
