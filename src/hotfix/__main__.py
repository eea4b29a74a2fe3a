from hotfix.cli.main import run

run()
