from hotfix.cli.main import main

main()
