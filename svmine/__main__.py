from svmine.cli.main import main

main()
