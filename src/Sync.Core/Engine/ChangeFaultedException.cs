namespace MessageSync.Core.Engine;

/// <summary>A change that cannot be applied and must not be retried; it has been recorded as a faulted outcome.</summary>
public sealed class ChangeFaultedException(string message, Exception? inner = null) : Exception(message, inner);
