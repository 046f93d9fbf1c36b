from traffpunkt.cli import main

main()
