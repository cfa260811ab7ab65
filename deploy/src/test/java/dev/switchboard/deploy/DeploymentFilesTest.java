package dev.switchboard.deploy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.yaml.snakeyaml.Yaml;

/**
 * The container and Kubernetes files cannot be run here (no Docker engine, no cluster), so this reads
 * them and checks what a deployment depends on: every role present, probes on /health, limits, PDBs,
 * Kubernetes discovery and the RBAC it needs, the Compose services and their health checks.
 */
@DisplayName("Deployment files in deploy/")
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class DeploymentFilesTest {

  private static final Set<String> ROLES = Set.of("gateway", "consumers", "worker");
  private static final Path K8S = Path.of("k8s");
  private static List<Map<String, Object>> manifests;

  @BeforeAll
  static void readManifests() throws IOException {
    manifests = new ArrayList<>();
    try (Stream<Path> files = Files.list(K8S)) {
      for (Path file : files.filter(f -> f.toString().endsWith(".yaml")).sorted().toList()) {
        for (Object doc : new Yaml().loadAll(Files.readString(file))) {
          if (doc != null) {
            manifests.add(map(doc));
          }
        }
      }
    }
  }

  @Test
  @DisplayName("each role has a Deployment whose pods run it clustered, with Kubernetes discovery, the pod IP as cluster host, /health probes and resource limits")
  void deploymentsPerRole() {
    for (String role : ROLES) {
      Map<String, Object> deployment = find("Deployment", "switchboard-" + role);
      Map<String, Object> pod = at(deployment, "spec", "template", "spec");
      assertEquals("switchboard", pod.get("serviceAccountName"), role);
      Map<String, Object> container = map(list(pod.get("containers")).get(0));
      assertEquals(List.of(role, "--cluster"), container.get("args"), role);
      for (String probe : List.of("livenessProbe", "readinessProbe", "startupProbe")) {
        assertEquals("/health", at(container, probe, "httpGet").get("path"), role + " " + probe);
      }
      Map<String, Object> limits = at(container, "resources", "limits");
      assertNotNull(limits.get("cpu"), role + " cpu limit");
      assertNotNull(limits.get("memory"), role + " memory limit");
      assertNotNull(at(container, "resources", "requests").get("memory"), role + " memory request");
      Map<String, Object> clusterHost = env(container, "SWITCHBOARD_CLUSTER_HOST");
      assertEquals("status.podIP", at(clusterHost, "valueFrom", "fieldRef").get("fieldPath"), role);
      assertTrue(list(container.get("envFrom")).stream().anyMatch(from -> "switchboard-config".equals(at(map(from), "configMapRef").get("name"))), role);
      assertEquals(Map.of("app.kubernetes.io/component", role, "app.kubernetes.io/part-of", "switchboard"),
          at(deployment, "spec", "selector", "matchLabels"), role);
    }
    String javaOpts = String.valueOf(at(find("ConfigMap", "switchboard-config"), "data").get("JAVA_OPTS"));
    assertTrue(javaOpts.contains("-Dvertx.hazelcast.config=classpath:cluster-k8s.xml"), javaOpts);
  }

  @Test
  @DisplayName("only consumers and workers get a PostgreSQL URL (a gateway never opens it); browsers' origins are configured")
  void databaseAndOrigins() {
    for (String role : ROLES) {
      Map<String, Object> container = map(list(at(find("Deployment", "switchboard-" + role), "spec", "template", "spec")
          .get("containers")).get(0));
      boolean hasPg = list(container.get("env")).stream().anyMatch(e -> "SWITCHBOARD_PG_URL".equals(map(e).get("name")));
      assertEquals(!role.equals("gateway"), hasPg, role + " SWITCHBOARD_PG_URL");
    }
    String origins = String.valueOf(at(find("ConfigMap", "switchboard-config"), "data").get("SWITCHBOARD_WS_ALLOWED_ORIGINS"));
    assertTrue(origins.startsWith("https://"), origins);
    // pods call each other by Service name: those names must pass the gateway's Host allow-list
    List<String> hosts = List.of(String.valueOf(at(find("ConfigMap", "switchboard-config"), "data")
        .get("SWITCHBOARD_HTTP_ALLOWED_HOSTS")).split(","));
    for (String role : ROLES) {
      assertTrue(hosts.contains("switchboard-" + role), hosts.toString());
    }
  }

  @Test
  @DisplayName("each role has a PodDisruptionBudget that keeps one pod of it")
  void disruptionBudgets() {
    for (String role : ROLES) {
      Map<String, Object> pdb = find("PodDisruptionBudget", "switchboard-" + role);
      assertEquals("policy/v1", pdb.get("apiVersion"));
      assertEquals(1, at(pdb, "spec").get("minAvailable"), role);
      assertEquals(role, at(pdb, "spec", "selector", "matchLabels").get("app.kubernetes.io/component"));
    }
  }

  @Test
  @DisplayName("discovery: a headless service over all pods publishing not-ready addresses, and a Role that lets the service account list its endpoints")
  void discoveryAndRbac() {
    Map<String, Object> headless = at(find("Service", "switchboard-hazelcast"), "spec");
    assertEquals("None", headless.get("clusterIP"));
    assertEquals(true, headless.get("publishNotReadyAddresses"));
    assertEquals(Map.of("app.kubernetes.io/part-of", "switchboard"), headless.get("selector"));
    assertEquals(5701, map(list(headless.get("ports")).get(0)).get("port"));

    find("ServiceAccount", "switchboard");
    Map<String, Object> role = find("Role", "switchboard-hazelcast-discovery");
    assertTrue(list(role.get("rules")).stream().map(DeploymentFilesTest::map).anyMatch(rule ->
        list(rule.get("resources")).contains("endpoints") && list(rule.get("verbs")).containsAll(List.of("get", "list"))), role.toString());
    Map<String, Object> binding = find("RoleBinding", "switchboard-hazelcast-discovery");
    assertEquals("switchboard-hazelcast-discovery", at(binding, "roleRef").get("name"));
    assertEquals("switchboard", map(list(binding.get("subjects")).get(0)).get("name"));

    Map<String, Object> gateway = at(find("Service", "switchboard-gateway"), "spec");
    assertEquals("gateway", map(gateway.get("selector")).get("app.kubernetes.io/component"));
  }

  @Test
  @DisplayName("kustomization.yaml lists every manifest file")
  void kustomizationListsAllFiles() throws IOException {
    Map<String, Object> kustomization = find("Kustomization", null);
    try (Stream<Path> files = Files.list(K8S)) {
      Set<String> names = Set.copyOf(files.map(f -> f.getFileName().toString())
          .filter(n -> n.endsWith(".yaml") && !n.equals("kustomization.yaml")).toList());
      assertEquals(names, Set.copyOf(list(kustomization.get("resources"))));
    }
  }

  @Test
  @DisplayName("compose.yaml: PostgreSQL, Redis, two gateways, consumers and a worker, clustered, with /health checks and no password in the file")
  void composeFile() throws IOException {
    String text = Files.readString(Path.of("compose.yaml"));
    Map<String, Object> services = at(map(new Yaml().load(text)), "services");
    assertEquals(Set.of("postgres", "redis", "gateway-1", "gateway-2", "consumers", "worker"), services.keySet());
    assertNotNull(at(map(services.get("postgres")), "healthcheck").get("test"));
    assertNotNull(at(map(services.get("redis")), "healthcheck").get("test"));
    for (String name : List.of("gateway-1", "gateway-2", "consumers", "worker")) {
      Map<String, Object> service = map(services.get(name));
      assertTrue(list(service.get("command")).contains("--cluster"), name);
      assertTrue(String.valueOf(at(service, "healthcheck").get("test")).contains("/health"), name);
      Map<String, Object> env = at(service, "environment");
      assertEquals("gateway-1,gateway-2,consumers,worker", env.get("SWITCHBOARD_CLUSTER_MEMBERS"), name);
      assertEquals("redis://redis:6379", env.get("SWITCHBOARD_REDIS_URL"), name);
      assertTrue(String.valueOf(env.get("SWITCHBOARD_HTTP_ALLOWED_HOSTS")).contains(name), name + " is reached by its service name");
      if (name.startsWith("gateway")) {
        assertFalse(env.containsKey("SWITCHBOARD_PG_URL"), name + " never opens PostgreSQL");
        assertTrue(String.valueOf(env.get("SWITCHBOARD_WS_ALLOWED_ORIGINS")).contains("http://localhost:8080"), name);
      } else {
        assertTrue(String.valueOf(env.get("SWITCHBOARD_PG_URL")).contains("@postgres:5432/"), name);
      }
      assertNotNull(at(service, "deploy", "resources", "limits").get("memory"), name);
      assertEquals(Set.of("redis", "postgres"), at(service, "depends_on").keySet(), name);
    }
    assertFalse(text.contains("POSTGRES_PASSWORD:-"), "the password comes from the environment, with no default in the repo");
  }

  @Test
  @DisplayName("the Dockerfile runs the fat jar on a Java 17 JRE as a non-root user, with a /health check")
  void dockerfile() throws IOException {
    String text = Files.readString(Path.of("Dockerfile"));
    assertTrue(text.contains("FROM eclipse-temurin:17-jre"), text);
    assertTrue(text.contains("/app/switchboard.jar"), text);
    assertTrue(text.contains("HEALTHCHECK") && text.contains("/health"), text);
    assertTrue(text.contains("USER 10001"), text);
    assertTrue(Files.isExecutable(Path.of("docker-entrypoint.sh")), "docker-entrypoint.sh is executable");
  }

  private static Map<String, Object> find(String kind, String name) {
    return manifests.stream()
        .filter(m -> kind.equals(m.get("kind")))
        .filter(m -> name == null || name.equals(at(m, "metadata").get("name")))
        .findFirst().orElseThrow(() -> new AssertionError("no " + kind + " named " + name + " in deploy/k8s"));
  }

  private static Map<String, Object> env(Map<String, Object> container, String name) {
    return list(container.get("env")).stream().map(DeploymentFilesTest::map)
        .filter(e -> name.equals(e.get("name"))).findFirst()
        .orElseThrow(() -> new AssertionError("no env " + name + " in " + container.get("name")));
  }

  private static Map<String, Object> at(Map<String, Object> root, String... path) {
    Map<String, Object> node = root;
    for (String key : path) {
      Object next = node.get(key);
      if (next == null) {
        throw new AssertionError("no '" + key + "' in " + node.keySet() + " (path " + String.join(".", path) + ")");
      }
      node = map(next);
    }
    return node;
  }

  @SuppressWarnings("unchecked")
  private static Map<String, Object> map(Object value) {
    return (Map<String, Object>) value;
  }

  @SuppressWarnings("unchecked")
  private static List<Object> list(Object value) {
    return value == null ? List.of() : (List<Object>) value;
  }
}
