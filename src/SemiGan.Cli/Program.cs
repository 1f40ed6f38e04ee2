// Before anything loads libtorch: its OpenMP runtime reads the wait policy once, at load.
SemiGan.Kernels.OpenMpWaitPolicy.Apply();
return SemiGan.Cli.CliApp.Run(args);
