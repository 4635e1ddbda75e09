import PyMemCheckCLI

PyMemCheckCommand.main()
