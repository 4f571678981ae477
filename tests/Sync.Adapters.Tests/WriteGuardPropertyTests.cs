using MessageSync.Core.Model;
using MessageSync.Core.Ports;
using MessageSync.Core.Routing;

namespace MessageSync.Adapters.Tests;

/// <summary>
/// One rule, checked twice (DESIGN.md, "The visibility invariant"): each adapter's write path refuses exactly the writes that
/// Core's <see cref="VisibilityGuard"/> refuses, for every message kind, origin, written kind and link option. A refused write
/// never reaches the API.
/// </summary>
public sealed class WriteGuardPropertyTests : IAsyncLifetime
{
    private Harness _h = null!;

    public async Task InitializeAsync() => _h = await Harness.StartAsync();

    public async Task DisposeAsync() => await _h.DisposeAsync();

    private static IEnumerable<ConversationLink> Links() =>
        from visible in new[] { false, true }
        from delivery in Enum.GetValues<ReplyDelivery>()
        select Canon.Link(cordVisible: visible, delivery: delivery);

    [Theory]
    [InlineData(SystemId.Pylon)]
    [InlineData(SystemId.Helpdesk)]
    [InlineData(SystemId.Cord)]
    public async Task Every_adapter_refuses_exactly_what_the_core_rule_refuses(SystemId target)
    {
        var adapter = _h.System(target);
        var mismatches = new List<string>();
        var refusals = 0;
        foreach (var link in Links())
        foreach (var kind in Enum.GetValues<MessageKind>())
        foreach (var origin in Enum.GetValues<SystemId>().Where(s => s != target))
        foreach (var written in Enum.GetValues<MessageKind>())
        {
            var message = Canon.Message(kind, origin: origin);
            var request = Canon.Write(link, message, written);
            var expected = VisibilityGuard.Violation(target, written, message, link, sendsEmail: false);
            var refused = await RefusedAsync(() => adapter.CreateAsync(request, CancellationToken.None));
            if (target == SystemId.Cord)
            {
                refused &= await RefusedAsync(() => adapter.EditAsync(request, "ms-unknown", CancellationToken.None));
            }

            refusals += refused ? 1 : 0;
            if (refused != (expected is not null))
            {
                mismatches.Add($"{kind} from {origin} written as {written} (cordVisible={link.CordThreadCustomerVisible}, delivery={link.DeliverRepliesVia}): adapter {(refused ? "refused" : "allowed")}, core says {expected?.ToString() ?? "allowed"}");
            }
        }

        Assert.True(mismatches.Count == 0, string.Join('\n', mismatches));
        Assert.True(refusals > 0, "nothing was refused: the rule was checked on nothing");
    }

    private static async Task<bool> RefusedAsync(Func<Task> write)
    {
        try
        {
            await write();
            return false;
        }
        catch (VisibilityViolationException)
        {
            return true;
        }
        catch (SyncException)
        {
            return false; // allowed by the rule; the simulator answered something else (no such issue, no contact...)
        }
    }
}

/// <summary>The delivery rule at the adapters' last moment (DESIGN.md, "The delivery rule"): a reply reaches the customer once.</summary>
public sealed class DeliveryRuleAdapterTests : IAsyncLifetime
{
    private Harness _h = null!;

    public async Task InitializeAsync() => _h = await Harness.StartAsync();

    public async Task DisposeAsync() => await _h.DisposeAsync();

    [Fact]
    public async Task Cord_refuses_a_helpdesk_reply_for_a_customer_visible_thread()
    {
        var reply = Canon.Message(MessageKind.AgentReply, origin: SystemId.Helpdesk);

        await Assert.ThrowsAsync<VisibilityViolationException>(() =>
            _h.System(SystemId.Cord).CreateAsync(Canon.Write(Canon.Link(cordVisible: true), reply), CancellationToken.None));
        Assert.DoesNotContain(_h.Host.Cord.GetState(), t => t.Messages.Count > 0);
    }

    [Fact]
    public async Task Pylon_refuses_to_deliver_a_Cord_reply_again_even_where_the_link_delivers_replies_via_Pylon()
    {
        var reply = Canon.Message(MessageKind.AgentReply, origin: SystemId.Cord);

        await Assert.ThrowsAsync<VisibilityViolationException>(() =>
            _h.System(SystemId.Pylon).CreateAsync(Canon.Write(Canon.Link(cordVisible: true, delivery: ReplyDelivery.Pylon), reply), CancellationToken.None));
    }
}
