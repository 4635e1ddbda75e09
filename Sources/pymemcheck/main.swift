import PyMemCheckCLI

PyMemCheckCommand.runMain()
