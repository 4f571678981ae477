using System.Runtime.CompilerServices;
using MessageSync.Core.Model;
using MessageSync.Core.Ports;

namespace MessageSync.Adapters.Tests;

/// <summary>Reading a whole conversation through an adapter, as the tests check it (the engine reads page by page).</summary>
public static class MessageSystemReading
{
    /// <summary>Every message of a conversation, every page from the start.</summary>
    public static async IAsyncEnumerable<ObservedMessage> ReadAllAsync(
        this IMessageSystem system, ConversationLink link, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        await foreach (var (_, page) in system.ReadPagesAsync(link, from: null, cancellationToken))
        {
            foreach (var message in page.Messages)
            {
                yield return message;
            }
        }
    }
}
