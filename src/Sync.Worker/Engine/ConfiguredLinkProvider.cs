using MessageSync.Core.Engine;
using MessageSync.Core.Model;
using MessageSync.Core.State;
using MessageSync.Worker.Options;

namespace MessageSync.Worker.Engine;

/// <summary>
/// Links from <c>Sync:Links</c> (current configuration, so a reload takes effect at the next poll) and from the store
/// (<c>links add</c>). A configured link wins over a stored one with the same id.
/// </summary>
public sealed class ConfiguredLinkProvider(SyncSettings settings, IStateStore store) : ILinkProvider
{
    public async Task<IReadOnlyList<ConversationLink>> GetLinksAsync(CancellationToken cancellationToken)
    {
        var configured = settings.Current.Links.Select(l => l.ToLink()).ToList();
        var stored = await store.ListLinksAsync(cancellationToken);
        var ids = configured.Select(l => l.Id).ToHashSet(StringComparer.Ordinal);
        configured.AddRange(stored.Select(s => s.Link).Where(l => !ids.Contains(l.Id)));
        return configured;
    }
}
