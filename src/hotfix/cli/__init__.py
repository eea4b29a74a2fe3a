"""The command line: parse, call one service, render. No logic lives here."""
