from codebench.cli.app import main

main()
