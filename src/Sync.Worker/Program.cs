using MessageSync.Worker.Commands;

// The verbs (run, backfill, status, links, errors, config check) and the host they start are in Commands/.
return await SyncCommandLine.InvokeAsync(args);
