using MessageSync.Core.Model;
using MessageSync.Core.Ports;
using MessageSync.Core.Routing;
using MessageSync.Core.State;
using MessageSync.Core.Tests.State;
using static MessageSync.Core.Tests.Routing.RoutingSamples;

namespace MessageSync.Core.Tests.Routing;

public sealed class RouterTests
{
    private static readonly ConversationLink Link = Samples.Link();

    private static RouteDecision Decide(
        ChangeKind change, MessageKind kind, SystemId source, SystemId target, ConversationLink? link = null,
        TargetPolicy? policy = null, bool mapped = false, SystemCapabilities? caps = null, CanonicalMessage? message = null) =>
        Router.Decide(change, message ?? Message(kind, source), source, target, link ?? Link, caps ?? For(target), policy ?? TargetPolicy.Default, mapped);

    // The "writes kind as" column of DESIGN.md, row by row.
    [Theory]
    [InlineData(SystemId.Pylon, MessageKind.InternalNote, ReplyDelivery.Origin, MessageKind.InternalNote, null)]
    [InlineData(SystemId.Pylon, MessageKind.CustomerMessage, ReplyDelivery.Origin, MessageKind.CustomerMessage, null)]
    [InlineData(SystemId.Pylon, MessageKind.AgentReply, ReplyDelivery.Origin, MessageKind.InternalNote, "Sent to the customer via helpdesk")]
    [InlineData(SystemId.Pylon, MessageKind.AgentReply, ReplyDelivery.Pylon, MessageKind.AgentReply, null)]
    [InlineData(SystemId.Pylon, MessageKind.SystemEvent, ReplyDelivery.Origin, MessageKind.InternalNote, null)]
    [InlineData(SystemId.Cord, MessageKind.InternalNote, ReplyDelivery.Origin, MessageKind.InternalNote, null)]
    [InlineData(SystemId.Cord, MessageKind.CustomerMessage, ReplyDelivery.Origin, MessageKind.CustomerMessage, null)]
    [InlineData(SystemId.Cord, MessageKind.AgentReply, ReplyDelivery.Pylon, MessageKind.AgentReply, null)]
    [InlineData(SystemId.Cord, MessageKind.SystemEvent, ReplyDelivery.Origin, MessageKind.SystemEvent, null)]
    public void Created_messages_take_the_kind_the_design_table_gives_their_target(
        SystemId target, MessageKind kind, ReplyDelivery delivery, MessageKind expectedKind, string? expectedLabel)
    {
        var decision = Decide(ChangeKind.Created, kind, SystemId.Helpdesk, target, Link with { DeliverRepliesVia = delivery });

        Assert.Equal(new RouteDecision.Create(expectedKind, expectedLabel), decision);
    }

    [Theory]
    [InlineData(MessageKind.CustomerMessage, MessageKind.CustomerMessage)]
    [InlineData(MessageKind.AgentReply, MessageKind.AgentReply)]
    [InlineData(MessageKind.InternalNote, MessageKind.InternalNote)]
    [InlineData(MessageKind.SystemEvent, MessageKind.InternalNote)]
    public void The_helpdesk_takes_request_response_and_note(MessageKind kind, MessageKind expected)
    {
        var decision = Assert.IsType<RouteDecision.Create>(Decide(ChangeKind.Created, kind, SystemId.Pylon, SystemId.Helpdesk));

        Assert.Equal(expected, decision.TargetKind);
    }

    [Fact]
    public void A_customer_message_becomes_a_labelled_note_where_Pylon_cannot_post_as_the_contact()
    {
        var decision = Decide(ChangeKind.Created, MessageKind.CustomerMessage, SystemId.Cord, SystemId.Pylon, caps: Pylon with { CanPostAsAuthor = false });

        Assert.Equal(new RouteDecision.Create(MessageKind.InternalNote, "Written by the customer in Cord"), decision);
    }

    [Fact]
    public void An_agent_reply_from_Cord_is_labelled_with_Cord_in_Pylon()
    {
        var decision = Decide(ChangeKind.Created, MessageKind.AgentReply, SystemId.Cord, SystemId.Pylon);

        Assert.Equal(new RouteDecision.Create(MessageKind.InternalNote, "Sent to the customer via Cord"), decision);
    }

    [Fact]
    public void An_internal_note_is_withheld_from_a_customer_visible_Cord_thread_and_recorded()
    {
        var decision = Decide(ChangeKind.Created, MessageKind.InternalNote, SystemId.Pylon, SystemId.Cord, Link with { CordThreadCustomerVisible = true });

        var outcome = Assert.IsType<RouteDecision.Outcome>(decision);
        Assert.Equal(OutcomeKind.Skipped, outcome.Kind);
        Assert.Contains("withheld", outcome.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void A_customers_message_still_reaches_a_customer_visible_Cord_thread()
    {
        var decision = Decide(ChangeKind.Created, MessageKind.CustomerMessage, SystemId.Helpdesk, SystemId.Cord, Link with { CordThreadCustomerVisible = true });

        Assert.Equal(new RouteDecision.Create(MessageKind.CustomerMessage, null), decision);
    }

    [Theory]
    [InlineData(SystemId.Helpdesk)]
    [InlineData(SystemId.Pylon)]
    public void An_agent_reply_already_delivered_elsewhere_is_not_copied_into_a_customer_visible_Cord_thread(SystemId origin)
    {
        var decision = Decide(ChangeKind.Created, MessageKind.AgentReply, origin, SystemId.Cord, Link with { CordThreadCustomerVisible = true, DeliverRepliesVia = ReplyDelivery.Pylon });

        Assert.Contains("second time", Assert.IsType<RouteDecision.Skip>(decision).Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void An_agent_reply_reaches_an_internal_Cord_thread()
    {
        var decision = Decide(ChangeKind.Created, MessageKind.AgentReply, SystemId.Helpdesk, SystemId.Cord);

        Assert.Equal(new RouteDecision.Create(MessageKind.AgentReply, null), decision);
    }

    [Fact]
    public void Delivery_via_Pylon_posts_only_helpdesk_replies_as_Pylon_replies()
    {
        var link = Link with { CordThreadCustomerVisible = true, DeliverRepliesVia = ReplyDelivery.Pylon };

        Assert.Equal(new RouteDecision.Create(MessageKind.AgentReply, null), Decide(ChangeKind.Created, MessageKind.AgentReply, SystemId.Helpdesk, SystemId.Pylon, link));
        Assert.Equal(
            new RouteDecision.Create(MessageKind.InternalNote, "Sent to the customer via Cord"),
            Decide(ChangeKind.Created, MessageKind.AgentReply, SystemId.Cord, SystemId.Pylon, link));
    }

    [Theory]
    [InlineData(ChangeKind.Created)]
    [InlineData(ChangeKind.Edited)]
    public void A_new_message_or_version_is_never_written_back_to_its_source(ChangeKind change)
    {
        Assert.IsType<RouteDecision.Skip>(Decide(change, MessageKind.CustomerMessage, SystemId.Cord, SystemId.Cord, mapped: true));
    }

    [Theory]
    [InlineData(ChangeKind.Redacted)]
    [InlineData(ChangeKind.Deleted)]
    public void A_redaction_or_deletion_reaches_the_other_copies_in_its_source_system_too(ChangeKind change)
    {
        var decision = Decide(change, MessageKind.CustomerMessage, SystemId.Pylon, SystemId.Pylon, mapped: true);

        Assert.True(decision is RouteDecision.Redact or RouteDecision.Delete, decision.ToString());
    }

    [Fact]
    public void A_target_the_link_does_not_name_is_skipped()
    {
        var decision = Decide(ChangeKind.Created, MessageKind.CustomerMessage, SystemId.Pylon, SystemId.Cord, Link with { CordThreadId = null });

        Assert.Contains("no Cord conversation", Assert.IsType<RouteDecision.Skip>(decision).Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void A_message_already_copied_is_not_created_twice()
    {
        Assert.IsType<RouteDecision.Skip>(Decide(ChangeKind.Created, MessageKind.CustomerMessage, SystemId.Pylon, SystemId.Cord, mapped: true));
    }

    [Fact]
    public void A_message_redacted_or_deleted_before_it_was_copied_is_not_created()
    {
        var redacted = Message(MessageKind.CustomerMessage, SystemId.Pylon) with { RedactedAt = DateTimeOffset.UnixEpoch };
        var deleted = Message(MessageKind.CustomerMessage, SystemId.Pylon) with { DeletedAt = DateTimeOffset.UnixEpoch };

        Assert.IsType<RouteDecision.Skip>(Decide(ChangeKind.Created, MessageKind.CustomerMessage, SystemId.Pylon, SystemId.Cord, message: redacted));
        Assert.IsType<RouteDecision.Skip>(Decide(ChangeKind.Created, MessageKind.CustomerMessage, SystemId.Pylon, SystemId.Cord, message: deleted));
    }

    [Fact]
    public void A_kind_the_target_cannot_create_is_a_recorded_outcome()
    {
        var caps = Helpdesk with { CreatableKinds = new HashSet<MessageKind> { MessageKind.InternalNote } };

        var decision = Decide(ChangeKind.Created, MessageKind.CustomerMessage, SystemId.Pylon, SystemId.Helpdesk, caps: caps);

        Assert.Equal(OutcomeKind.Skipped, Assert.IsType<RouteDecision.Outcome>(decision).Kind);
    }

    [Fact]
    public void An_edit_reaches_a_target_that_can_edit()
    {
        var decision = Decide(ChangeKind.Edited, MessageKind.AgentReply, SystemId.Pylon, SystemId.Cord, mapped: true);

        Assert.Equal(new RouteDecision.Edit(MessageKind.AgentReply, null), decision);
    }

    [Fact]
    public void An_edit_becomes_a_note_where_the_target_cannot_edit_and_the_policy_says_AppendNote()
    {
        var decision = Decide(ChangeKind.Edited, MessageKind.CustomerMessage, SystemId.Cord, SystemId.Pylon, mapped: true);

        var note = Assert.IsType<RouteDecision.AppendNote>(decision);
        Assert.Equal(("Edited in Cord", MessageKind.InternalNote), (note.Label, note.TargetKind));
    }

    [Fact]
    public void An_edit_is_skipped_with_its_reason_where_the_policy_says_Ignore()
    {
        var decision = Decide(ChangeKind.Edited, MessageKind.CustomerMessage, SystemId.Cord, SystemId.Helpdesk, policy: new TargetPolicy { Edits = EditPolicy.Ignore }, mapped: true);

        Assert.Contains("Ignore", Assert.IsType<RouteDecision.Skip>(decision).Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void An_edit_note_for_a_target_that_takes_no_notes_is_a_recorded_outcome()
    {
        var caps = Helpdesk with { CreatableKinds = new HashSet<MessageKind> { MessageKind.CustomerMessage } };

        var decision = Decide(ChangeKind.Edited, MessageKind.CustomerMessage, SystemId.Cord, SystemId.Helpdesk, mapped: true, caps: caps);

        Assert.Equal(OutcomeKind.Skipped, Assert.IsType<RouteDecision.Outcome>(decision).Kind);
    }

    [Fact]
    public void An_edit_note_is_never_put_into_a_customer_visible_Cord_thread()
    {
        var decision = Decide(
            ChangeKind.Edited, MessageKind.CustomerMessage, SystemId.Pylon, SystemId.Cord, Link with { CordThreadCustomerVisible = true },
            mapped: true, caps: Cord with { CanEdit = false });

        Assert.Equal(OutcomeKind.Skipped, Assert.IsType<RouteDecision.Outcome>(decision).Kind);
    }

    [Theory]
    [InlineData(ChangeKind.Edited)]
    [InlineData(ChangeKind.Redacted)]
    [InlineData(ChangeKind.Deleted)]
    public void A_change_for_a_message_with_no_copy_in_the_target_is_skipped(ChangeKind change)
    {
        Assert.IsType<RouteDecision.Skip>(Decide(change, MessageKind.CustomerMessage, SystemId.Pylon, SystemId.Cord, mapped: false));
    }

    [Theory]
    [InlineData(SystemId.Pylon)]
    [InlineData(SystemId.Cord)]
    public void A_redaction_reaches_every_target_that_can_redact(SystemId target)
    {
        Assert.IsType<RouteDecision.Redact>(Decide(ChangeKind.Redacted, MessageKind.CustomerMessage, SystemId.Helpdesk, target, mapped: true));
    }

    [Fact]
    public void A_redaction_the_helpdesk_cannot_carry_out_is_an_unpropagated_redaction()
    {
        var decision = Decide(ChangeKind.Redacted, MessageKind.CustomerMessage, SystemId.Pylon, SystemId.Helpdesk, mapped: true);

        Assert.Equal(OutcomeKind.UnpropagatedRedaction, Assert.IsType<RouteDecision.Outcome>(decision).Kind);
    }

    [Theory]
    [InlineData(SystemId.Cord, DeletionPolicy.Delete, true, "Delete:Soft")]
    [InlineData(SystemId.Cord, DeletionPolicy.Delete, false, "Delete:Hard")]
    [InlineData(SystemId.Pylon, DeletionPolicy.Delete, true, "Delete:Hard")]
    [InlineData(SystemId.Cord, DeletionPolicy.Redact, true, "Redact")]
    [InlineData(SystemId.Pylon, DeletionPolicy.Redact, true, "Redact")]
    [InlineData(SystemId.Cord, DeletionPolicy.Ignore, true, "Skip")]
    [InlineData(SystemId.Helpdesk, DeletionPolicy.Delete, true, "Outcome:Skipped")]
    [InlineData(SystemId.Helpdesk, DeletionPolicy.Redact, true, "Outcome:Skipped")]
    [InlineData(SystemId.Helpdesk, DeletionPolicy.Ignore, true, "Skip")]
    public void A_deletion_follows_the_target_policy_and_capabilities(SystemId target, DeletionPolicy policy, bool preferSoft, string expected)
    {
        var source = target == SystemId.Pylon ? SystemId.Cord : SystemId.Pylon;

        var decision = Decide(ChangeKind.Deleted, MessageKind.CustomerMessage, source, target, policy: new TargetPolicy { Deletion = policy, PreferSoftDelete = preferSoft }, mapped: true);

        var actual = decision switch
        {
            RouteDecision.Delete delete => $"Delete:{delete.Mode}",
            RouteDecision.Outcome outcome => $"Outcome:{outcome.Kind}",
            _ => decision.GetType().Name,
        };
        Assert.Equal(expected, actual);
    }

    [Fact]
    public void A_hard_delete_falls_back_to_soft_where_only_soft_exists()
    {
        var decision = Decide(
            ChangeKind.Deleted, MessageKind.CustomerMessage, SystemId.Pylon, SystemId.Cord,
            policy: new TargetPolicy { PreferSoftDelete = false }, mapped: true, caps: Cord with { CanDelete = false });

        Assert.Equal(new RouteDecision.Delete(DeleteMode.Soft), decision);
    }

    [Fact]
    public void A_create_decision_becomes_the_write_request_the_adapter_takes()
    {
        var message = Message(MessageKind.AgentReply);
        var decision = Router.Decide(ChangeKind.Created, message, SystemId.Helpdesk, SystemId.Pylon, Link, Pylon, TargetPolicy.Default, false);

        var request = decision.ToWriteRequest(Link, message, "msg_parent");

        Assert.NotNull(request);
        Assert.Equal((MessageKind.InternalNote, "Sent to the customer via helpdesk", "msg_parent", message), (request.TargetKind, request.Label, request.ParentExternalId, request.Message));
        Assert.Null(new RouteDecision.Redact().ToWriteRequest(Link, message));
    }
}
