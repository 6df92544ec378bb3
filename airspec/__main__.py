from airspec.cli import main

main()
