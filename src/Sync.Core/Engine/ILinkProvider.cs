using MessageSync.Core.Model;

namespace MessageSync.Core.Engine;

/// <summary>The links in force now: configuration (<c>Sync:Links</c>) and the store, both picked up without a restart.</summary>
public interface ILinkProvider
{
    Task<IReadOnlyList<ConversationLink>> GetLinksAsync(CancellationToken cancellationToken);
}

public static class LinkProviderExtensions
{
    public static async Task<ConversationLink?> FindAsync(this ILinkProvider provider, string linkId, CancellationToken cancellationToken) =>
        (await provider.GetLinksAsync(cancellationToken)).FirstOrDefault(l => l.Id == linkId);
}
