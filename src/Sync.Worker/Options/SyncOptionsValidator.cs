using System.ComponentModel.DataAnnotations;
using Microsoft.Extensions.Options;

namespace MessageSync.Worker.Options;

/// <summary>
/// Validates the whole <c>Sync</c> section at start and on every reload. Each failure names the
/// configuration key (e.g. <c>Sync:Links:0:Id</c>) so an operator knows what to fix. Given the
/// <see cref="ConfiguredSystems"/>, a link naming a system that is not configured is refused too (it would never sync).
/// </summary>
public sealed class SyncOptionsValidator(ConfiguredSystems? systems = null) : IValidateOptions<SyncOptions>
{
    public ValidateOptionsResult Validate(string? name, SyncOptions options)
    {
        var failures = new List<string>();
        Check(options.RabbitMq, "Sync:RabbitMq", failures);
        Check(options.Logging, "Sync:Logging", failures);
        Check(options.Http, "Sync:Http", failures);
        Check(options.Polling, "Sync:Polling", failures);
        Check(options.Telemetry, "Sync:Telemetry", failures);
        if (options.Telemetry.OtlpEndpoint is { Length: > 0 } otlp
            && (!Uri.TryCreate(otlp, UriKind.Absolute, out var otlpUri) || (otlpUri.Scheme != Uri.UriSchemeHttp && otlpUri.Scheme != Uri.UriSchemeHttps)))
        {
            failures.Add($"Sync:Telemetry:OtlpEndpoint: '{otlp}' is not an absolute http(s) URL");
        }

        Check(options.Ownership, "Sync:Ownership", failures);
        if (options.Ownership.RenewInterval * 3 > options.Ownership.LeaseTtl)
        {
            failures.Add($"Sync:Ownership:RenewInterval: '{options.Ownership.RenewInterval}' must be at most a third of Sync:Ownership:LeaseTtl ('{options.Ownership.LeaseTtl}'), so an owner renews twice before its lease can expire");
        }

        if (options.Http.Enabled && !Uri.TryCreate(options.Http.Urls.Split(';')[0], UriKind.Absolute, out _))
        {
            failures.Add($"Sync:Http:Urls: '{options.Http.Urls}' is not an absolute URL");
        }

        var ids = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < options.Links.Count; i++)
        {
            var link = options.Links[i];
            var key = $"Sync:Links:{i}";
            Check(link, key, failures);
            if (!string.IsNullOrEmpty(link.Id) && !ids.Add(link.Id))
            {
                failures.Add($"{key}:Id: '{link.Id}' is used by another link");
            }

            var named = link.ToLink().Systems.ToList();
            if (named.Count < 2)
            {
                failures.Add($"{key}: a link names at least two systems (PylonIssueId, HelpdeskTicketId, CordThreadId); it names {named.Count}");
            }

            foreach (var system in named.Where(s => systems is not null && !systems.Contains(s)))
            {
                failures.Add($"{key}: names a {system} conversation, but {ConfiguredSystems.SectionOf(system)} is not configured");
            }
        }

        PeopleOptions.Validate(options.People, failures);
        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }

    private static void Check(object value, string prefix, List<string> failures)
    {
        var results = new List<ValidationResult>();
        if (Validator.TryValidateObject(value, new ValidationContext(value), results, validateAllProperties: true))
        {
            return;
        }

        foreach (var result in results)
        {
            var member = result.MemberNames.FirstOrDefault() ?? "?";
            var current = value.GetType().GetProperty(member)?.GetValue(value);
            failures.Add($"{prefix}:{member}: '{current}' {Describe(result.ErrorMessage, member)}");
        }
    }

    private static string Describe(string? message, string member) =>
        message is null ? "is invalid" : message.Replace($"The field {member} ", "", StringComparison.Ordinal).Replace($"The {member} field ", "", StringComparison.Ordinal);
}
