using Microsoft.Extensions.Options;

namespace MessageSync.Worker.Options;

/// <summary>
/// Every secret given as a file (<c>ApiTokenFile</c>, <c>SessionTokenFile</c>, <c>SecretFile</c>, <c>WebhookSecretFile</c>,
/// ...: a string option whose name ends in <c>File</c>) must be readable and hold something, at start and in
/// <c>config check</c>: an unreadable token file would otherwise surface as a 401 at the first call.
/// </summary>
public sealed class SecretFilesValidator<TOptions>(string section) : IValidateOptions<TOptions>
    where TOptions : class
{
    public ValidateOptionsResult Validate(string? name, TOptions options)
    {
        var failures = new List<string>();
        foreach (var property in typeof(TOptions).GetProperties().Where(p => p.PropertyType == typeof(string) && p.Name.EndsWith("File", StringComparison.Ordinal)))
        {
            if (property.GetValue(options) is string path && !string.IsNullOrWhiteSpace(path) && Problem(path) is { } problem)
            {
                failures.Add($"{section}:{property.Name}: '{path}' {problem}");
            }
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }

    /// <summary>Why the file cannot serve as a secret, or null when it can.</summary>
    private static string? Problem(string path)
    {
        try
        {
            return File.ReadAllText(path).Trim().Length == 0 ? "is empty" : null;
        }
        catch (Exception ex) when (ex is FileNotFoundException or DirectoryNotFoundException)
        {
            return "does not exist";
        }
        catch (UnauthorizedAccessException)
        {
            return "cannot be read (permission denied)";
        }
        catch (IOException ex)
        {
            return $"cannot be read: {ex.Message}";
        }
    }
}
