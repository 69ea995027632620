//! The double driven through kube-rs (the client the operator uses), one behaviour per test.
//! Expected texts and semantics are those of the real API server (Kubernetes API conventions,
//! server-side-apply docs, shared/notes/kubernetes-facts.md).

use std::collections::BTreeSet;
use std::time::{Duration, Instant};

use futures::{StreamExt, TryStreamExt};
use hoist_apiserver_double::{ApiServer, Options};
use k8s_openapi::api::apps::v1::Deployment;
use k8s_openapi::api::core::v1::{ConfigMap, Namespace};
use kube::api::{
    Api, ApiResource, DeleteParams, DynamicObject, ListParams, Patch, PatchParams, PostParams,
    Preconditions, PropagationPolicy, WatchEvent, WatchParams,
};
use kube::config::{KubeConfigOptions, Kubeconfig};
use kube::{Client, Config};
use serde_json::{json, Value};

async fn client(s: &ApiServer) -> Client {
    let kc = Kubeconfig::read_from(s.kubeconfig()).unwrap();
    let cfg = Config::from_custom_kubeconfig(kc, &KubeConfigOptions::default())
        .await
        .unwrap();
    Client::try_from(cfg).unwrap()
}

fn status(e: kube::Error) -> kube::core::Status {
    match e {
        kube::Error::Api(s) => *s,
        other => panic!("expected an API error, got {other:?}"),
    }
}

fn cm(name: &str, data: Value) -> ConfigMap {
    serde_json::from_value(json!({"apiVersion": "v1", "kind": "ConfigMap",
        "metadata": {"name": name}, "data": data}))
    .unwrap()
}

async fn eventually<F, Fut>(what: &str, mut f: F)
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = bool>,
{
    let end = Instant::now() + Duration::from_secs(10);
    while Instant::now() < end {
        if f().await {
            return;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("timed out waiting for: {what}");
}

const WIDGET_CRD: &str = r#"{
  "apiVersion": "apiextensions.k8s.io/v1", "kind": "CustomResourceDefinition",
  "metadata": {"name": "widgets.test.hoist.dev"},
  "spec": {
    "group": "test.hoist.dev", "scope": "Namespaced",
    "names": {"plural": "widgets", "singular": "widget", "kind": "Widget",
              "shortNames": ["wdg"], "categories": ["hoist"]},
    "versions": [{
      "name": "v1", "served": true, "storage": true,
      "subresources": {"status": {},
        "scale": {"specReplicasPath": ".spec.replicas", "statusReplicasPath": ".status.replicas",
                  "labelSelectorPath": ".status.selector"}},
      "schema": {"openAPIV3Schema": {"type": "object", "properties": {
        "spec": {"type": "object", "properties": {
          "replicas": {"type": "integer"}, "color": {"type": "string"},
          "ports": {"type": "array", "x-kubernetes-list-type": "map",
                    "x-kubernetes-list-map-keys": ["name"],
                    "items": {"type": "object", "properties": {
                      "name": {"type": "string"}, "port": {"type": "integer"}}}},
          "free": {"type": "object", "x-kubernetes-preserve-unknown-fields": true}}},
        "status": {"type": "object", "properties": {
          "replicas": {"type": "integer"}, "selector": {"type": "string"},
          "observedGeneration": {"type": "integer"}}}}}}
    }]
  }
}"#;

fn widget_ar() -> ApiResource {
    ApiResource {
        group: "test.hoist.dev".into(),
        version: "v1".into(),
        api_version: "test.hoist.dev/v1".into(),
        kind: "Widget".into(),
        plural: "widgets".into(),
    }
}

async fn install_widgets(c: &Client) -> Api<DynamicObject> {
    let crds: Api<DynamicObject> = Api::all_with(
        c.clone(),
        &ApiResource {
            group: "apiextensions.k8s.io".into(),
            version: "v1".into(),
            api_version: "apiextensions.k8s.io/v1".into(),
            kind: "CustomResourceDefinition".into(),
            plural: "customresourcedefinitions".into(),
        },
    );
    let crd: DynamicObject = serde_json::from_str(WIDGET_CRD).unwrap();
    crds.create(&PostParams::default(), &crd).await.unwrap();
    Api::namespaced_with(c.clone(), "default", &widget_ar())
}

fn widget(name: &str, spec: Value) -> DynamicObject {
    serde_json::from_value(json!({"apiVersion": "test.hoist.dev/v1", "kind": "Widget",
        "metadata": {"name": name}, "spec": spec}))
    .unwrap()
}

fn rv<K: kube::Resource>(o: &K) -> u64 {
    o.meta()
        .resource_version
        .as_deref()
        .unwrap()
        .parse()
        .unwrap()
}

mod discovery {
    use super::*;
    use kube::discovery::Discovery;

    #[tokio::test]
    async fn version_groups_and_crds() {
        let s = ApiServer::start_with(Options {
            version: "v1.24.17".into(),
            ..Options::default()
        })
        .unwrap();
        let c = client(&s).await;
        let v = c.apiserver_version().await.unwrap();
        assert_eq!((v.major.as_str(), v.minor.as_str()), ("1", "24"));
        assert_eq!(v.git_version, "v1.24.17");

        let d = Discovery::new(c.clone()).run().await.unwrap();
        let has = |g: &str, k: &str| {
            d.groups().any(|grp| {
                grp.name() == g && grp.recommended_resources().iter().any(|(r, _)| r.kind == k)
            })
        };
        for (g, k) in [
            ("", "Namespace"),
            ("", "ConfigMap"),
            ("", "Secret"),
            ("", "Service"),
            ("", "Pod"),
            ("", "PersistentVolumeClaim"),
            ("", "ServiceAccount"),
            ("", "Event"),
            ("apps", "Deployment"),
            ("apps", "StatefulSet"),
            ("batch", "Job"),
            ("batch", "CronJob"),
            ("policy", "PodDisruptionBudget"),
            ("rbac.authorization.k8s.io", "Role"),
            ("rbac.authorization.k8s.io", "ClusterRoleBinding"),
            ("coordination.k8s.io", "Lease"),
            ("events.k8s.io", "Event"),
            ("apiextensions.k8s.io", "CustomResourceDefinition"),
        ] {
            assert!(has(g, k), "{g}/{k} not discovered");
        }
        assert!(!has("test.hoist.dev", "Widget"));

        install_widgets(&c).await;
        let d = Discovery::new(c.clone()).run().await.unwrap();
        let (ar, caps) = d
            .groups()
            .find(|g| g.name() == "test.hoist.dev")
            .unwrap()
            .recommended_kind("Widget")
            .unwrap();
        assert_eq!(ar.plural, "widgets");
        assert_eq!(caps.scope, kube::discovery::Scope::Namespaced);
        let subs: BTreeSet<String> = caps
            .subresources
            .iter()
            .map(|(r, _)| r.plural.clone())
            .collect();
        assert_eq!(
            subs,
            BTreeSet::from(["scale".to_string(), "status".to_string()])
        );

        // The raw APIResourceList carries short names and categories.
        let req = http::Request::get("/apis/test.hoist.dev/v1")
            .body(vec![])
            .unwrap();
        let list: Value = c.request(req).await.unwrap();
        let w = &list["resources"][0];
        assert_eq!(w["shortNames"], json!(["wdg"]));
        assert_eq!(w["categories"], json!(["hoist"]));

        // The CRD reports Established.
        let req = http::Request::get(
            "/apis/apiextensions.k8s.io/v1/customresourcedefinitions/widgets.test.hoist.dev",
        )
        .body(vec![])
        .unwrap();
        let crd: Value = c.request(req).await.unwrap();
        let conds = crd["status"]["conditions"].as_array().unwrap();
        assert!(conds
            .iter()
            .any(|c| c["type"] == "Established" && c["status"] == "True"));
    }
}

mod crud {
    use super::*;

    #[tokio::test]
    async fn create_get_list_selectors() {
        let s = ApiServer::start().unwrap();
        let c = client(&s).await;
        let api: Api<ConfigMap> = Api::namespaced(c.clone(), "default");
        let pp = PostParams::default();
        for (n, l) in [("a", "web"), ("b", "db"), ("c", "cache")] {
            let mut o = cm(n, json!({"k": n}));
            o.metadata.labels = Some([("app".to_string(), l.to_string())].into());
            if n == "c" {
                o.metadata
                    .labels
                    .as_mut()
                    .unwrap()
                    .insert("tier".into(), "x".into());
            }
            let created = api.create(&pp, &o).await.unwrap();
            assert!(created.metadata.uid.is_some());
            assert!(created.metadata.creation_timestamp.is_some());
            assert!(created.metadata.resource_version.is_some());
        }
        let names = |l: kube::core::ObjectList<ConfigMap>| -> Vec<String> {
            l.items
                .iter()
                .map(|o| o.metadata.name.clone().unwrap())
                .collect()
        };
        let sel = |s: &str| ListParams::default().labels(s);
        assert_eq!(names(api.list(&sel("app=web")).await.unwrap()), ["a"]);
        assert_eq!(names(api.list(&sel("app!=web")).await.unwrap()), ["b", "c"]);
        assert_eq!(
            names(api.list(&sel("app in (web,db)")).await.unwrap()),
            ["a", "b"]
        );
        assert_eq!(
            names(api.list(&sel("app notin (web,db)")).await.unwrap()),
            ["c"]
        );
        assert_eq!(names(api.list(&sel("tier")).await.unwrap()), ["c"]);
        assert_eq!(names(api.list(&sel("!tier")).await.unwrap()), ["a", "b"]);
        let by_name = ListParams::default().fields("metadata.name=b");
        assert_eq!(names(api.list(&by_name).await.unwrap()), ["b"]);
        let list = api.list(&ListParams::default()).await.unwrap();
        assert!(list.metadata.resource_version.is_some());

        // All namespaces and another namespace.
        let all: Api<ConfigMap> = Api::all(c.clone());
        assert_eq!(
            all.list(&ListParams::default()).await.unwrap().items.len(),
            3
        );
        let other: Api<ConfigMap> = Api::namespaced(c.clone(), "kube-system");
        assert!(other
            .list(&ListParams::default())
            .await
            .unwrap()
            .items
            .is_empty());

        let got = api.get("a").await.unwrap();
        assert_eq!(got.data.unwrap()["k"], "a");
        let e = status(api.get("zzz").await.unwrap_err());
        assert_eq!((e.code, e.reason.as_str()), (404, "NotFound"));
        assert_eq!(e.message, "configmaps \"zzz\" not found");

        let e = status(api.create(&pp, &cm("a", json!({}))).await.unwrap_err());
        assert_eq!((e.code, e.reason.as_str()), (409, "AlreadyExists"));
        assert_eq!(e.message, "configmaps \"a\" already exists");
    }

    #[tokio::test]
    async fn secret_string_data_and_type_default() {
        let s = ApiServer::start().unwrap();
        let c = client(&s).await;
        let api: Api<k8s_openapi::api::core::v1::Secret> = Api::namespaced(c.clone(), "default");
        let sec = serde_json::from_value(json!({"apiVersion": "v1", "kind": "Secret",
            "metadata": {"name": "s"}, "data": {"a": "YQ=="}, "stringData": {"b": "bee"}}))
        .unwrap();
        let got = api.create(&PostParams::default(), &sec).await.unwrap();
        let v = serde_json::to_value(&got).unwrap();
        assert_eq!(v["data"], json!({"a": "YQ==", "b": "YmVl"}));
        assert!(v.get("stringData").is_none());
        assert_eq!(v["type"], "Opaque");
        let got = api
            .patch(
                "s",
                &PatchParams::default(),
                &Patch::Merge(json!({"stringData": {"a": "new"}})),
            )
            .await
            .unwrap();
        let v = serde_json::to_value(&got).unwrap();
        assert_eq!(v["data"], json!({"a": "bmV3", "b": "YmVl"}));
    }

    #[tokio::test]
    async fn generate_name_and_missing_namespace() {
        let s = ApiServer::start().unwrap();
        let c = client(&s).await;
        let api: Api<ConfigMap> = Api::namespaced(c.clone(), "default");
        let mut o = cm("", json!({}));
        o.metadata.name = None;
        o.metadata.generate_name = Some("gen-".into());
        let a = api.create(&PostParams::default(), &o).await.unwrap();
        let b = api.create(&PostParams::default(), &o).await.unwrap();
        let (an, bn) = (a.metadata.name.unwrap(), b.metadata.name.unwrap());
        assert!(an.starts_with("gen-") && an.len() == 9, "{an}");
        assert_ne!(an, bn);

        let nope: Api<ConfigMap> = Api::namespaced(c.clone(), "nope");
        let e = status(
            nope.create(&PostParams::default(), &cm("x", json!({})))
                .await
                .unwrap_err(),
        );
        assert_eq!(
            (e.code, e.message.as_str()),
            (404, "namespaces \"nope\" not found")
        );

        let e = status(
            api.create(&PostParams::default(), &cm("Bad_Name", json!({})))
                .await
                .unwrap_err(),
        );
        assert_eq!((e.code, e.reason.as_str()), (422, "Invalid"));
    }

    #[tokio::test]
    async fn replace_with_stale_resource_version_conflicts() {
        let s = ApiServer::start().unwrap();
        let c = client(&s).await;
        let api: Api<Deployment> = Api::namespaced(c.clone(), "default");
        let d: Deployment = serde_json::from_value(json!({
            "apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "x"},
            "spec": {"replicas": 1, "selector": {"matchLabels": {"a": "b"}},
                     "template": {"metadata": {"labels": {"a": "b"}},
                                  "spec": {"containers": [{"name": "c", "image": "i"}]}}}}))
        .unwrap();
        let v1 = api.create(&PostParams::default(), &d).await.unwrap();
        assert_eq!(v1.metadata.generation, Some(1));
        let mut v2 = v1.clone();
        v2.spec.as_mut().unwrap().replicas = Some(2);
        let v2 = api.replace("x", &PostParams::default(), &v2).await.unwrap();
        assert_eq!(v2.metadata.generation, Some(2));
        assert!(rv(&v2) > rv(&v1));
        // Stale write.
        let e = status(
            api.replace("x", &PostParams::default(), &v1)
                .await
                .unwrap_err(),
        );
        assert_eq!((e.code, e.reason.as_str()), (409, "Conflict"));
        assert_eq!(
            e.message,
            "Operation cannot be fulfilled on deployments.apps \"x\": the object has been modified; please apply your changes to the latest version and try again"
        );
        // Metadata-only change: no generation bump; status through the main endpoint ignored.
        let mut v3 = v2.clone();
        v3.metadata.labels = Some([("l".to_string(), "v".to_string())].into());
        v3.status = Some(serde_json::from_value(json!({"replicas": 5})).unwrap());
        let v3 = api.replace("x", &PostParams::default(), &v3).await.unwrap();
        assert_eq!(v3.metadata.generation, Some(2));
        assert_eq!(v3.status.and_then(|s| s.replicas), None);
        // Status subresource changes only status, no generation bump.
        let st = api
            .patch_status(
                "x",
                &PatchParams::default(),
                &Patch::Merge(json!({"status": {"replicas": 2}, "spec": {"replicas": 9}})),
            )
            .await
            .unwrap();
        assert_eq!(st.status.unwrap().replicas, Some(2));
        assert_eq!(st.spec.unwrap().replicas, Some(2));
        assert_eq!(st.metadata.generation, Some(2));
        // Scale subresource.
        let sc = api.get_scale("x").await.unwrap();
        assert_eq!(sc.spec.unwrap().replicas, Some(2));
        assert_eq!(sc.status.as_ref().unwrap().selector.as_deref(), Some("a=b"));
        api.patch_scale(
            "x",
            &PatchParams::default(),
            &Patch::Merge(json!({"spec": {"replicas": 4}})),
        )
        .await
        .unwrap();
        assert_eq!(api.get("x").await.unwrap().spec.unwrap().replicas, Some(4));
    }

    #[tokio::test]
    async fn merge_strategic_and_json_patches() {
        let s = ApiServer::start().unwrap();
        let c = client(&s).await;
        let api: Api<Deployment> = Api::namespaced(c.clone(), "default");
        let d: Deployment = serde_json::from_value(json!({
            "apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "x"},
            "spec": {"selector": {"matchLabels": {"a": "b"}},
                     "template": {"metadata": {"labels": {"a": "b"}},
                                  "spec": {"containers": [
                                      {"name": "a", "image": "ia", "env": [{"name": "E", "value": "1"}]},
                                      {"name": "b", "image": "ib"}]}}}}))
        .unwrap();
        api.create(&PostParams::default(), &d).await.unwrap();
        let pp = PatchParams::default();
        // Strategic merge: containers merge by name; env by name; $patch: delete removes.
        let smp = json!({"spec": {"template": {"spec": {"containers": [
            {"name": "a", "image": "ia2", "env": [{"name": "F", "value": "2"}]},
            {"name": "b", "$patch": "delete"}]}}}});
        let got = api.patch("x", &pp, &Patch::Strategic(smp)).await.unwrap();
        let v = serde_json::to_value(&got).unwrap();
        let cs = &v["spec"]["template"]["spec"]["containers"];
        assert_eq!(cs.as_array().unwrap().len(), 1);
        assert_eq!(cs[0]["image"], "ia2");
        assert_eq!(
            cs[0]["env"],
            json!([{"name": "E", "value": "1"}, {"name": "F", "value": "2"}])
        );
        // JSON merge patch replaces lists, null deletes.
        let got = api
            .patch(
                "x",
                &pp,
                &Patch::Merge(json!({"metadata": {"labels": {"k": "v"}},
                    "spec": {"template": {"spec": {"containers": [{"name": "z", "image": "iz"}]}}}})),
            )
            .await
            .unwrap();
        let v = serde_json::to_value(&got).unwrap();
        assert_eq!(
            v["spec"]["template"]["spec"]["containers"],
            json!([{"name": "z", "image": "iz"}])
        );
        assert_eq!(v["metadata"]["labels"], json!({"k": "v"}));
        // JSON patch.
        let jp: json_patch::Patch = serde_json::from_value(json!([
            {"op": "test", "path": "/metadata/labels/k", "value": "v"},
            {"op": "add", "path": "/spec/replicas", "value": 3}
        ]))
        .unwrap();
        let got = api.patch("x", &pp, &Patch::<()>::Json(jp)).await.unwrap();
        assert_eq!(got.spec.unwrap().replicas, Some(3));
        let bad: json_patch::Patch = serde_json::from_value(
            json!([{"op": "test", "path": "/metadata/labels/k", "value": "no"}]),
        )
        .unwrap();
        let e = status(
            api.patch("x", &pp, &Patch::<()>::Json(bad))
                .await
                .unwrap_err(),
        );
        assert_eq!(e.code, 422);
    }
}

mod ssa {
    use super::*;

    fn apply_cm(data: Value) -> Patch<Value> {
        Patch::Apply(json!({"apiVersion": "v1", "kind": "ConfigMap",
            "metadata": {"name": "s"}, "data": data}))
    }

    fn managers(o: &ConfigMap) -> Vec<(String, String, Value)> {
        o.metadata
            .managed_fields
            .iter()
            .flatten()
            .map(|m| {
                (
                    m.manager.clone().unwrap(),
                    m.operation.clone().unwrap(),
                    serde_json::to_value(m.fields_v1.as_ref().unwrap()).unwrap(),
                )
            })
            .collect()
    }

    #[tokio::test]
    async fn apply_creates_owns_conflicts_forces_and_prunes() {
        let s = ApiServer::start().unwrap();
        let c = client(&s).await;
        let api: Api<ConfigMap> = Api::namespaced(c.clone(), "default");
        let alice = PatchParams::apply("alice");
        let a1 = api
            .patch("s", &alice, &apply_cm(json!({"x": "1", "y": "2"})))
            .await
            .unwrap();
        assert_eq!(
            managers(&a1),
            [(
                "alice".into(),
                "Apply".into(),
                json!({"f:data": {"f:x": {}, "f:y": {}}})
            )]
        );
        // No-op apply: same resourceVersion, same managedFields.
        let a2 = api
            .patch("s", &alice, &apply_cm(json!({"x": "1", "y": "2"})))
            .await
            .unwrap();
        assert_eq!(rv(&a1), rv(&a2));
        assert_eq!(a1.metadata.managed_fields, a2.metadata.managed_fields);

        // Another manager setting the same value shares ownership; a different value conflicts.
        let bob = PatchParams::apply("bob");
        api.patch("s", &bob, &apply_cm(json!({"x": "1"})))
            .await
            .unwrap();
        let e = status(
            api.patch("s", &bob, &apply_cm(json!({"y": "B"})))
                .await
                .unwrap_err(),
        );
        assert_eq!((e.code, e.reason.as_str()), (409, "Conflict"));
        assert_eq!(
            e.message,
            "Apply failed with 1 conflict: conflict with \"alice\": .data.y"
        );
        let causes = e.details.unwrap().causes;
        assert_eq!(causes[0].field, ".data.y");
        assert_eq!(causes[0].reason, "FieldManagerConflict");

        // An Update manager is named with its API version.
        api.patch(
            "s",
            &PatchParams {
                field_manager: Some("kubectl-edit".into()),
                ..Default::default()
            },
            &Patch::Merge(json!({"data": {"z": "3"}})),
        )
        .await
        .unwrap();
        let e = status(
            api.patch("s", &bob, &apply_cm(json!({"x": "1", "z": "B", "y": "B"})))
                .await
                .unwrap_err(),
        );
        assert_eq!(
            e.message,
            "Apply failed with 2 conflicts: conflicts with \"alice\":\n- .data.y\nconflicts with \"kubectl-edit\" using v1:\n- .data.z"
        );

        // Force takes the field over.
        let forced = api
            .patch(
                "s",
                &bob.clone().force(),
                &apply_cm(json!({"x": "1", "y": "B"})),
            )
            .await
            .unwrap();
        assert_eq!(forced.data.as_ref().unwrap()["y"], "B");
        let ms = managers(&forced);
        let alice_fields = &ms.iter().find(|m| m.0 == "alice").unwrap().2;
        assert_eq!(alice_fields, &json!({"f:data": {"f:x": {}}}));

        // Alice stops applying x: shared with bob, so it stays. Bob stops applying y and owns it
        // alone, so it goes.
        api.patch("s", &alice, &apply_cm(json!({}))).await.unwrap();
        let got = api
            .patch("s", &bob, &apply_cm(json!({"x": "1"})))
            .await
            .unwrap();
        let data = got.data.unwrap();
        assert_eq!(data.get("x").map(String::as_str), Some("1"));
        assert!(!data.contains_key("y"));
        assert_eq!(
            data.get("z").map(String::as_str),
            Some("3"),
            "kubectl-edit's field stays"
        );
        // Apply without a field manager is refused.
        let req = http::Request::patch("/api/v1/namespaces/default/configmaps/s")
            .header("content-type", "application/apply-patch+yaml")
            .body(b"apiVersion: v1\nkind: ConfigMap\nmetadata: {name: s}\n".to_vec())
            .unwrap();
        let e = c.request::<Value>(req).await.unwrap_err();
        assert_eq!(status(e).code, 400);
    }

    #[tokio::test]
    async fn dry_run_computes_without_storing() {
        let s = ApiServer::start().unwrap();
        let c = client(&s).await;
        let api: Api<ConfigMap> = Api::namespaced(c.clone(), "default");
        let alice = PatchParams::apply("alice");
        let stored = api
            .patch("s", &alice, &apply_cm(json!({"x": "1"})))
            .await
            .unwrap();
        let dry = api
            .patch("s", &alice.clone().dry_run(), &apply_cm(json!({"x": "2"})))
            .await
            .unwrap();
        assert_eq!(dry.data.as_ref().unwrap()["x"], "2");
        assert_eq!(rv(&dry), rv(&stored));
        let now = api.get("s").await.unwrap();
        assert_eq!(now.data.as_ref().unwrap()["x"], "1");
        assert_eq!(rv(&now), rv(&stored));
        // Conflicts are reported by dry runs too.
        let e = status(
            api.patch(
                "s",
                &PatchParams::apply("bob").dry_run(),
                &apply_cm(json!({"x": "3"})),
            )
            .await
            .unwrap_err(),
        );
        assert_eq!(e.code, 409);
        // A dry-run creation stores nothing.
        let pp = PostParams {
            dry_run: true,
            ..Default::default()
        };
        let created = api.create(&pp, &cm("ghost", json!({}))).await.unwrap();
        assert!(created.metadata.uid.is_some());
        assert!(api.get_opt("ghost").await.unwrap().is_none());
        let dp = DeleteParams {
            dry_run: true,
            ..Default::default()
        };
        api.delete("s", &dp).await.unwrap();
        assert!(api.get_opt("s").await.unwrap().is_some());
    }

    #[tokio::test]
    async fn apply_list_map_keys_and_status_subresource() {
        let s = ApiServer::start().unwrap();
        let c = client(&s).await;
        let api = install_widgets(&c).await;
        let apply = |spec: Value| {
            Patch::Apply(json!({"apiVersion": "test.hoist.dev/v1", "kind": "Widget",
                "metadata": {"name": "w"}, "spec": spec}))
        };
        let op = PatchParams::apply("op");
        let w = api
            .patch(
                "w",
                &op,
                &apply(json!({"ports": [{"name": "a", "port": 1}, {"name": "b", "port": 2}]})),
            )
            .await
            .unwrap();
        let mf = serde_json::to_value(&w.metadata.managed_fields).unwrap();
        assert_eq!(
            mf[0]["fieldsV1"],
            json!({"f:spec": {"f:ports": {
                "k:{\"name\":\"a\"}": {".": {}, "f:name": {}, "f:port": {}},
                "k:{\"name\":\"b\"}": {".": {}, "f:name": {}, "f:port": {}}}}})
        );
        // Another manager adds an item; the list merges by key.
        api.patch(
            "w",
            &PatchParams::apply("other"),
            &apply(json!({"ports": [{"name": "c", "port": 3}]})),
        )
        .await
        .unwrap();
        // op drops b: removed; c stays (owned by other).
        let w = api
            .patch(
                "w",
                &op,
                &apply(json!({"ports": [{"name": "a", "port": 1}]})),
            )
            .await
            .unwrap();
        let names: Vec<&str> = w.data["spec"]["ports"]
            .as_array()
            .unwrap()
            .iter()
            .map(|p| p["name"].as_str().unwrap())
            .collect();
        assert_eq!(names, ["a", "c"]);

        // Status through the main endpoint is ignored; through /status only status changes and
        // generation stays.
        let gen = w.metadata.generation;
        let st = api
            .patch_status(
                "w",
                &PatchParams::apply("ctrl"),
                &Patch::Apply(json!({"apiVersion": "test.hoist.dev/v1", "kind": "Widget",
                    "metadata": {"name": "w"}, "status": {"replicas": 2, "bogus": 1}})),
            )
            .await
            .unwrap();
        assert_eq!(
            st.data["status"],
            json!({"replicas": 2}),
            "unknown status field pruned"
        );
        assert_eq!(st.metadata.generation, gen);
        let ctrl = st
            .metadata
            .managed_fields
            .iter()
            .flatten()
            .find(|m| m.manager.as_deref() == Some("ctrl"))
            .unwrap();
        assert_eq!(ctrl.subresource.as_deref(), Some("status"));
    }
}

mod crd {
    use super::*;

    #[tokio::test]
    async fn custom_resources_prune_generation_scale() {
        let s = ApiServer::start().unwrap();
        let c = client(&s).await;
        let api = install_widgets(&c).await;
        let mut w = widget(
            "w",
            json!({"replicas": 1, "color": "red", "nope": 1, "free": {"any": {"thing": 1}}}),
        );
        w.data["status"] = json!({"replicas": 7});
        let w = api.create(&PostParams::default(), &w).await.unwrap();
        assert_eq!(
            w.data["spec"],
            json!({"replicas": 1, "color": "red", "free": {"any": {"thing": 1}}})
        );
        assert!(
            w.data.get("status").is_none(),
            "status is dropped on create"
        );
        assert_eq!(w.metadata.generation, Some(1));

        // Spec change bumps generation; metadata change does not.
        let w2 = api
            .patch(
                "w",
                &PatchParams::default(),
                &Patch::Merge(json!({"spec": {"color": "blue"}})),
            )
            .await
            .unwrap();
        assert_eq!(w2.metadata.generation, Some(2));
        let w3 = api
            .patch(
                "w",
                &PatchParams::default(),
                &Patch::Merge(json!({"metadata": {"labels": {"a": "b"}}})),
            )
            .await
            .unwrap();
        assert_eq!(w3.metadata.generation, Some(2));
        // Status fields missing from the schema are pruned silently.
        let st = api
            .patch_status(
                "w",
                &PatchParams::default(),
                &Patch::Merge(
                    json!({"status": {"replicas": 1, "selector": "app=w", "phase": "Ready"}}),
                ),
            )
            .await
            .unwrap();
        assert_eq!(
            st.data["status"],
            json!({"replicas": 1, "selector": "app=w"})
        );
        assert_eq!(st.metadata.generation, Some(2));

        // Scale maps onto specReplicasPath/statusReplicasPath/labelSelectorPath.
        let sc = api.get_scale("w").await.unwrap();
        assert_eq!(sc.spec.unwrap().replicas, Some(1));
        let sst = sc.status.unwrap();
        assert_eq!((sst.replicas, sst.selector.as_deref()), (1, Some("app=w")));
        api.patch_scale(
            "w",
            &PatchParams::default(),
            &Patch::Merge(json!({"spec": {"replicas": 5}})),
        )
        .await
        .unwrap();
        let w = api.get("w").await.unwrap();
        assert_eq!(w.data["spec"]["replicas"], 5);
        assert_eq!(w.metadata.generation, Some(3));

        // Wrong apiVersion/kind in the body.
        let mut bad = widget("x", json!({}));
        bad.types.as_mut().unwrap().api_version = "test.hoist.dev/v2".into();
        let e = status(api.create(&PostParams::default(), &bad).await.unwrap_err());
        assert_eq!(e.code, 400);

        // Deleting the CRD deletes its resources and stops serving them.
        let crds: Api<DynamicObject> = Api::all_with(
            c.clone(),
            &ApiResource::erase::<k8s_openapi::apiextensions_apiserver::pkg::apis::apiextensions::v1::CustomResourceDefinition>(&()),
        );
        crds.delete("widgets.test.hoist.dev", &DeleteParams::default())
            .await
            .unwrap();
        let e = status(api.get("w").await.unwrap_err());
        assert_eq!(e.code, 404);
    }
}

mod deletion {
    use super::*;

    async fn deployment(c: &Client, name: &str) -> Deployment {
        let api: Api<Deployment> = Api::namespaced(c.clone(), "default");
        let d: Deployment = serde_json::from_value(json!({
            "apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": name},
            "spec": {"selector": {"matchLabels": {"a": "b"}},
                     "template": {"metadata": {"labels": {"a": "b"}},
                                  "spec": {"containers": [{"name": "c", "image": "i"}]}}}}))
        .unwrap();
        api.create(&PostParams::default(), &d).await.unwrap()
    }

    async fn dependent(c: &Client, name: &str, owner: &Deployment, block: bool, fins: &[&str]) {
        let api: Api<ConfigMap> = Api::namespaced(c.clone(), "default");
        let o: ConfigMap = serde_json::from_value(json!({
            "apiVersion": "v1", "kind": "ConfigMap",
            "metadata": {"name": name, "finalizers": fins, "ownerReferences": [{
                "apiVersion": "apps/v1", "kind": "Deployment",
                "name": owner.metadata.name, "uid": owner.metadata.uid,
                "blockOwnerDeletion": block}]}}))
        .unwrap();
        api.create(&PostParams::default(), &o).await.unwrap();
    }

    #[tokio::test]
    async fn finalizers_hold_deletion() {
        let s = ApiServer::start().unwrap();
        let c = client(&s).await;
        let api: Api<ConfigMap> = Api::namespaced(c.clone(), "default");
        let mut o = cm("f", json!({}));
        o.metadata.finalizers = Some(vec!["hoist.dev/test".into()]);
        let created = api.create(&PostParams::default(), &o).await.unwrap();
        // Preconditions.
        let dp = DeleteParams {
            preconditions: Some(Preconditions {
                uid: Some("other".into()),
                resource_version: None,
            }),
            ..DeleteParams::default()
        };
        let e = status(api.delete("f", &dp).await.unwrap_err());
        assert_eq!(e.code, 409);
        assert!(
            e.message
                .contains("Precondition failed: UID in precondition: other"),
            "{}",
            e.message
        );

        let held = api.delete("f", &DeleteParams::default()).await.unwrap();
        let held = held.left().expect("object still there");
        assert!(held.metadata.deletion_timestamp.is_some());
        assert_eq!(held.metadata.deletion_grace_period_seconds, Some(0));
        assert!(rv(&held) > rv(&created));
        // Still readable; a second delete changes nothing.
        let again = api
            .delete("f", &DeleteParams::default())
            .await
            .unwrap()
            .left()
            .unwrap();
        assert_eq!(rv(&again), rv(&held));
        // Removing the last finalizer deletes it.
        api.patch(
            "f",
            &PatchParams::default(),
            &Patch::Merge(json!({"metadata": {"finalizers": null}})),
        )
        .await
        .unwrap();
        assert_eq!(status(api.get("f").await.unwrap_err()).code, 404);
    }

    #[tokio::test]
    async fn background_foreground_orphan() {
        let s = ApiServer::start().unwrap();
        let c = client(&s).await;
        let deps: Api<Deployment> = Api::namespaced(c.clone(), "default");
        let cms: Api<ConfigMap> = Api::namespaced(c.clone(), "default");
        let exists = |n: &'static str| {
            let cms = cms.clone();
            async move { cms.get_opt(n).await.unwrap().is_some() }
        };

        // Background (the default): the owner goes at once, the dependent shortly after.
        let o = deployment(&c, "bg").await;
        dependent(&c, "bg-child", &o, false, &[]).await;
        let r = deps.delete("bg", &DeleteParams::default()).await.unwrap();
        assert!(r.is_right(), "deleted at once");
        eventually("background GC", || async { !exists("bg-child").await }).await;

        // Orphan: the dependent stays, without the ownerReference.
        let o = deployment(&c, "or").await;
        dependent(&c, "or-child", &o, false, &[]).await;
        deps.delete(
            "or",
            &DeleteParams {
                propagation_policy: Some(PropagationPolicy::Orphan),
                ..Default::default()
            },
        )
        .await
        .unwrap();
        tokio::time::sleep(Duration::from_millis(500)).await;
        let child = cms.get("or-child").await.unwrap();
        assert!(child.metadata.owner_references.is_none());

        // Foreground: the owner waits with the foregroundDeletion finalizer until its blocking
        // dependent (held by its own finalizer here) is gone.
        let o = deployment(&c, "fg").await;
        dependent(&c, "fg-child", &o, true, &["hoist.dev/hold"]).await;
        let r = deps
            .delete("fg", &DeleteParams::foreground())
            .await
            .unwrap();
        let owner = r.left().unwrap();
        assert!(owner
            .metadata
            .finalizers
            .unwrap()
            .contains(&"foregroundDeletion".to_string()));
        eventually("dependent marked for deletion", || async {
            cms.get("fg-child")
                .await
                .unwrap()
                .metadata
                .deletion_timestamp
                .is_some()
        })
        .await;
        tokio::time::sleep(Duration::from_millis(500)).await;
        assert!(
            deps.get_opt("fg").await.unwrap().is_some(),
            "owner waits for the dependent"
        );
        cms.patch(
            "fg-child",
            &PatchParams::default(),
            &Patch::Merge(json!({"metadata": {"finalizers": []}})),
        )
        .await
        .unwrap();
        eventually("owner gone", || async {
            deps.get_opt("fg").await.unwrap().is_none()
        })
        .await;

        // A dependent with two owners loses only the dangling reference.
        let a = deployment(&c, "a").await;
        let b = deployment(&c, "b").await;
        let two: ConfigMap = serde_json::from_value(json!({"apiVersion": "v1", "kind": "ConfigMap",
            "metadata": {"name": "two", "ownerReferences": [
                {"apiVersion": "apps/v1", "kind": "Deployment", "name": "a", "uid": a.metadata.uid},
                {"apiVersion": "apps/v1", "kind": "Deployment", "name": "b", "uid": b.metadata.uid}]}}))
        .unwrap();
        cms.create(&PostParams::default(), &two).await.unwrap();
        deps.delete("a", &DeleteParams::default()).await.unwrap();
        eventually("dangling owner reference removed", || async {
            cms.get("two")
                .await
                .unwrap()
                .metadata
                .owner_references
                .map(|r| r.len())
                == Some(1)
        })
        .await;
    }

    #[tokio::test]
    async fn namespace_deletion_deletes_content() {
        let s = ApiServer::start().unwrap();
        let c = client(&s).await;
        let nss: Api<Namespace> = Api::all(c.clone());
        let ns: Namespace =
            serde_json::from_value(json!({"metadata": {"name": "doomed"}})).unwrap();
        nss.create(&PostParams::default(), &ns).await.unwrap();
        let cms: Api<ConfigMap> = Api::namespaced(c.clone(), "doomed");
        cms.create(&PostParams::default(), &cm("x", json!({})))
            .await
            .unwrap();
        let r = nss
            .delete("doomed", &DeleteParams::default())
            .await
            .unwrap();
        let terminating = r.left().unwrap();
        assert_eq!(
            terminating.status.unwrap().phase.as_deref(),
            Some("Terminating")
        );
        let e = status(
            cms.create(&PostParams::default(), &cm("y", json!({})))
                .await
                .unwrap_err(),
        );
        assert_eq!(e.code, 403);
        eventually("namespace gone", || async {
            nss.get_opt("doomed").await.unwrap().is_none()
        })
        .await;
        assert!(Api::<ConfigMap>::all(c.clone())
            .list(&ListParams::default())
            .await
            .unwrap()
            .items
            .is_empty());
    }
}

mod watch {
    use super::*;

    #[tokio::test]
    async fn events_bookmarks_and_resume() {
        let s = ApiServer::start_with(Options {
            bookmark_interval: Duration::from_millis(200),
            ..Options::default()
        })
        .unwrap();
        let c = client(&s).await;
        let api: Api<ConfigMap> = Api::namespaced(c.clone(), "default");
        let list = api.list(&ListParams::default()).await.unwrap();
        let from = list.metadata.resource_version.unwrap();
        let mut stream = api
            .watch(&WatchParams::default().labels("w=1").timeout(10), &from)
            .await
            .unwrap()
            .boxed();
        let mut o = cm("w", json!({"a": "1"}));
        o.metadata.labels = Some([("w".to_string(), "1".to_string())].into());
        api.create(&PostParams::default(), &o).await.unwrap();
        api.create(&PostParams::default(), &cm("unlabelled", json!({})))
            .await
            .unwrap();
        api.patch(
            "w",
            &PatchParams::default(),
            &Patch::Merge(json!({"data": {"a": "2"}})),
        )
        .await
        .unwrap();
        // Dropping the label turns into DELETED for this selector.
        api.patch(
            "w",
            &PatchParams::default(),
            &Patch::Merge(json!({"metadata": {"labels": null}})),
        )
        .await
        .unwrap();
        let mut seen = Vec::new();
        let mut bookmark = None;
        while let Some(ev) = stream.try_next().await.unwrap() {
            match ev {
                WatchEvent::Added(o) => seen.push(format!("ADDED {}", o.metadata.name.unwrap())),
                WatchEvent::Modified(o) => seen.push(format!("MODIFIED {}", o.data.unwrap()["a"])),
                WatchEvent::Deleted(o) => {
                    seen.push(format!("DELETED {}", o.metadata.name.unwrap()))
                }
                WatchEvent::Bookmark(b) => {
                    bookmark = Some(b.metadata.resource_version);
                    if seen.len() >= 3 {
                        break;
                    }
                }
                WatchEvent::Error(e) => panic!("{e:?}"),
            }
        }
        assert_eq!(seen, ["ADDED w", "MODIFIED 2", "DELETED w"]);
        let bookmark = bookmark.unwrap();
        assert!(bookmark.parse::<u64>().unwrap() >= from.parse::<u64>().unwrap() + 4);

        // Resuming from the list version replays the same history.
        let mut again = api
            .watch(&WatchParams::default().timeout(2), &from)
            .await
            .unwrap()
            .boxed();
        let first = again.try_next().await.unwrap().unwrap();
        assert!(
            matches!(first, WatchEvent::Added(ref o) if o.metadata.name.as_deref() == Some("w"))
        );
    }

    #[tokio::test]
    async fn too_old_resource_version_is_gone() {
        let s = ApiServer::start_with(Options {
            history: 5,
            ..Options::default()
        })
        .unwrap();
        let c = client(&s).await;
        let api: Api<ConfigMap> = Api::namespaced(c.clone(), "default");
        let from = api
            .list(&ListParams::default())
            .await
            .unwrap()
            .metadata
            .resource_version
            .unwrap();
        for i in 0..10 {
            api.create(&PostParams::default(), &cm(&format!("c{i}"), json!({})))
                .await
                .unwrap();
        }
        let mut stream = api
            .watch(&WatchParams::default().timeout(2), &from)
            .await
            .unwrap()
            .boxed();
        match stream.try_next().await.unwrap() {
            Some(WatchEvent::Error(e)) => {
                assert_eq!((e.code, e.reason.as_str()), (410, "Expired"));
                assert!(
                    e.message.starts_with("too old resource version"),
                    "{}",
                    e.message
                );
            }
            other => panic!("expected 410, got {other:?}"),
        }
    }

    #[tokio::test]
    async fn timeout_ends_the_stream() {
        let s = ApiServer::start().unwrap();
        let c = client(&s).await;
        let api: Api<ConfigMap> = Api::namespaced(c.clone(), "default");
        let t = Instant::now();
        let mut stream = api
            .watch(&WatchParams::default().timeout(1), "0")
            .await
            .unwrap()
            .boxed();
        while stream.try_next().await.unwrap().is_some() {}
        assert!(t.elapsed() >= Duration::from_millis(900) && t.elapsed() < Duration::from_secs(5));
    }
}

mod controller {
    use super::*;
    use std::sync::atomic::{AtomicUsize, Ordering};
    use std::sync::Arc;

    use kube::runtime::controller::{Action, Controller};
    use kube::runtime::watcher;

    #[derive(Debug, thiserror::Error)]
    #[error("reconcile failed: {0}")]
    struct ReconcileError(#[from] kube::Error);

    /// A kube-rs Controller (list + watch with bookmarks) reconciles every object, writes status
    /// through the status subresource, and settles: no errors, no hot loop.
    #[tokio::test]
    async fn controller_runs_and_settles() {
        let s = ApiServer::start_with(Options {
            bookmark_interval: Duration::from_millis(200),
            ..Options::default()
        })
        .unwrap();
        let c = client(&s).await;
        let api = install_widgets(&c).await;
        for i in 0..3 {
            api.create(
                &PostParams::default(),
                &widget(&format!("w{i}"), json!({"replicas": i})),
            )
            .await
            .unwrap();
        }
        let calls = Arc::new(AtomicUsize::new(0));
        let errors = Arc::new(AtomicUsize::new(0));
        let ctx = Arc::new((api.clone(), calls.clone()));
        let ctrl = Controller::new_with(
            api.clone(),
            watcher::Config::default().any_semantic(),
            widget_ar(),
        )
        .run(
            |obj: Arc<DynamicObject>, ctx: Arc<(Api<DynamicObject>, Arc<AtomicUsize>)>| async move {
                ctx.1.fetch_add(1, Ordering::SeqCst);
                let name = obj.metadata.name.clone().unwrap();
                let generation = obj.metadata.generation;
                ctx.0
                    .patch_status(
                        &name,
                        &PatchParams::apply("ctrl").force(),
                        &Patch::Apply(json!({"apiVersion": "test.hoist.dev/v1", "kind": "Widget",
                                "status": {"observedGeneration": generation}})),
                    )
                    .await?;
                Ok::<_, ReconcileError>(Action::await_change())
            },
            {
                let errors = errors.clone();
                move |_, _, _| {
                    errors.fetch_add(1, Ordering::SeqCst);
                    Action::requeue(Duration::from_secs(1))
                }
            },
            ctx,
        )
        .for_each(|_| async {});
        let handle = tokio::spawn(ctrl);

        eventually("all reconciled", || async {
            let l = api.list(&ListParams::default()).await.unwrap();
            l.items
                .iter()
                .all(|w| w.data["status"]["observedGeneration"] == json!(1))
        })
        .await;
        // A spec change is seen and reconciled.
        api.patch(
            "w1",
            &PatchParams::default(),
            &Patch::Merge(json!({"spec": {"replicas": 9}})),
        )
        .await
        .unwrap();
        eventually("change reconciled", || async {
            api.get("w1").await.unwrap().data["status"]["observedGeneration"] == json!(2)
        })
        .await;
        // Settled: the status writes do not trigger endless reconciles (no-op applies are
        // invisible), bookmarks keep flowing without errors.
        tokio::time::sleep(Duration::from_millis(500)).await;
        let settled = calls.load(Ordering::SeqCst);
        tokio::time::sleep(Duration::from_secs(2)).await;
        let after = calls.load(Ordering::SeqCst);
        assert!(
            after - settled <= 1,
            "hot loop: {settled} → {after} reconciles"
        );
        assert!(settled <= 12, "too many reconciles: {settled}");
        assert_eq!(errors.load(Ordering::SeqCst), 0);
        handle.abort();
    }
}
