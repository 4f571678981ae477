using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;

namespace MessageSync.Simulators;

/// <summary>Cord's REST messages API (api-docs 003, contracts/cord-*): list, get, create, update, delete.</summary>
public sealed partial class CordSimulator : SimulatorBase
{
    public const string ListAll = "list_all", ListThread = "list_thread", Get = "get", CreateKey = "create", Update = "update", DeleteKey = "delete";

    internal CordSimulator(SimulatorOptions options)
        : base(options)
    {
    }

    public override IReadOnlyList<string> EndpointKeys { get; } = [ListAll, ListThread, Get, CreateKey, Update, DeleteKey];

    /// <summary>A server token as Cord's SDK mints it: HS512, payload {app_id, iat, exp}.</summary>
    public static string MintToken(SimulatorOptions options, TimeSpan? lifetime = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        var now = options.Time.GetUtcNow();
        return Jwt.Sign(new JsonObject
        {
            ["app_id"] = options.CordAppId,
            ["iat"] = now.ToUnixTimeSeconds(),
            ["exp"] = (now + (lifetime ?? TimeSpan.FromMinutes(1))).ToUnixTimeSeconds(),
        }, options.CordSecret, "HS512");
    }

    /// <summary>Creates a thread. Throws if it exists.</summary>
    public CordThreadState CreateThread(string threadId, string name = "Sim thread", string? url = null, string groupId = "sim_group", IReadOnlyDictionary<string, object>? metadata = null) =>
        throw new NotImplementedException();

    /// <summary>Uploads a file that a message can then attach by id.</summary>
    public CordFile UploadFile(string name, string mimeType, long size) => throw new NotImplementedException();

    /// <summary>Adds a message as a person in the Cord UI would, with plain text as one paragraph; fires the webhook.</summary>
    public CordMessageState AddMessage(string threadId, string authorId, string text, string? messageId = null, IReadOnlyList<string>? fileIds = null, IReadOnlyDictionary<string, object>? metadata = null) =>
        throw new NotImplementedException();

    /// <summary>Adds a message with structured content (a <c>MessageContent</c> JSON array); fires the webhook.</summary>
    public CordMessageState AddMessageContent(string threadId, string authorId, string contentJson, string? messageId = null, IReadOnlyList<string>? fileIds = null, IReadOnlyDictionary<string, object>? metadata = null) =>
        throw new NotImplementedException();

    /// <summary>Adds a reaction as a person would.</summary>
    public void AddReaction(string threadId, string messageId, string reaction, string userId) => throw new NotImplementedException();

    /// <summary>Every message of a thread, soft- and hard-deleted ones included.</summary>
    public IReadOnlyList<CordMessageState> GetMessages(string threadId) => throw new NotImplementedException();

    /// <summary>Every thread with its messages.</summary>
    public IReadOnlyList<CordThreadState> GetState() => throw new NotImplementedException();

    /// <summary>Every webhook delivery attempted.</summary>
    public IReadOnlyList<CordWebhookDelivery> WebhookDeliveries => throw new NotImplementedException();

    internal ValueTask DisposeWebhooksAsync() => ValueTask.CompletedTask;

    internal override void Map(WebApplication app) => MapFaultEndpoints(app);

    private protected override ValueTask<ApiResult?> AuthenticateAsync(HttpContext ctx, string endpointKey) => throw new NotImplementedException();

    private protected override ApiResult Error(int status, string code, string message) =>
        new(status, new JsonObject { ["error"] = code, ["message"] = message });
}
