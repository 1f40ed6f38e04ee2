return SemiGan.Cli.CliApp.Run(args);
