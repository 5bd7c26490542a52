using System.Reflection;
using System.Reflection.Emit;
using Microsoft.Azure.WebJobs;
using Microsoft.Azure.WebJobs.Extensions.DurableTask;
using Newtonsoft.Json.Linq;

namespace RealEngineHost;

/// <summary>
/// Emits one static method per Node Durable function, shaped like the binding the Functions host
/// creates for a Node app:
///   orchestration: <c>string F([OrchestrationTrigger] string context)</c>
///   entity:        <c>JObject F([EntityTrigger] string batch)</c>
///   activity:      <c>JToken F([ActivityTrigger] JToken input)</c>
/// A trigger parameter that is not the .NET context type makes the extension treat the function
/// as out-of-process (OrchestrationTriggerAttributeBindingProvider / EntityTriggerAttributeBindingProvider:
/// isOutOfProc = !typeof(IDurable…Context).IsAssignableFrom(parameterType)): it binds the context
/// JSON and hands the returned JSON to its out-of-process shim. The body calls NodeWorker.
/// Emitted at start-up from the bridge's list, so the catalog in functions/ is the only list.
/// </summary>
public static class FunctionEmitter
{
    public static Type Emit(IEnumerable<NodeFunction> functions)
    {
        var assembly = AssemblyBuilder.DefineDynamicAssembly(new AssemblyName("NodeDurableFunctions"), AssemblyBuilderAccess.Run);
        var module = assembly.DefineDynamicModule("NodeDurableFunctions");
        var type = module.DefineType(
            "NodeDurableFunctions.Functions",
            TypeAttributes.Public | TypeAttributes.Class | TypeAttributes.Abstract | TypeAttributes.Sealed);
        var functionName = typeof(FunctionNameAttribute).GetConstructor(new[] { typeof(string) });
        int index = 0;
        foreach (NodeFunction function in functions)
        {
            (Type returns, Type parameter, Type attribute, string property, string target) = function.Trigger switch
            {
                "orchestrationTrigger" => (typeof(string), typeof(string), typeof(OrchestrationTriggerAttribute), nameof(OrchestrationTriggerAttribute.Orchestration), nameof(NodeWorker.Orchestration)),
                "entityTrigger" => (typeof(JObject), typeof(string), typeof(EntityTriggerAttribute), nameof(EntityTriggerAttribute.EntityName), nameof(NodeWorker.Entity)),
                "activityTrigger" => (typeof(JToken), typeof(JToken), typeof(ActivityTriggerAttribute), nameof(ActivityTriggerAttribute.Activity), nameof(NodeWorker.Activity)),
                _ => (null, null, null, null, null),
            };
            if (returns == null)
            {
                continue;
            }

            var method = type.DefineMethod($"F{index++}_{Sanitise(function.Name)}", MethodAttributes.Public | MethodAttributes.Static, returns, new[] { parameter });
            method.SetCustomAttribute(new CustomAttributeBuilder(functionName, new object[] { function.Name }));
            var param = method.DefineParameter(1, ParameterAttributes.None, "context");
            param.SetCustomAttribute(new CustomAttributeBuilder(
                attribute.GetConstructor(Type.EmptyTypes),
                Array.Empty<object>(),
                new[] { attribute.GetProperty(property) },
                new object[] { function.Name }));
            var il = method.GetILGenerator();
            il.Emit(OpCodes.Ldstr, function.Name);
            il.Emit(OpCodes.Ldarg_0);
            il.Emit(OpCodes.Call, typeof(NodeWorker).GetMethod(target, BindingFlags.Public | BindingFlags.Static));
            il.Emit(OpCodes.Ret);
        }

        return type.CreateType();
    }

    private static string Sanitise(string name) =>
        new string(name.Select(c => char.IsLetterOrDigit(c) ? c : '_').ToArray());
}
