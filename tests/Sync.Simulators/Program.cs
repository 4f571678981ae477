// Entry point kept tiny: the same code is callable in-process as SimulatorProgram.RunAsync.
return await MessageSync.Simulators.SimulatorProgram.RunUntilSignalAsync(args);
