package dev.switchboard.deploy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.hazelcast.config.ClasspathXmlConfig;
import com.hazelcast.config.Config;
import com.hazelcast.config.JoinConfig;
import dev.switchboard.shared.cluster.ClusterBootstrap;
import dev.switchboard.shared.config.SwitchboardConfig;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@DisplayName("The Hazelcast files shipped in the jar, with the Switchboard settings applied")
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class HazelcastConfigTest {

  private final SwitchboardConfig.Cluster cluster = new SwitchboardConfig.Cluster(
      "prod", List.of("10.0.0.1:5701", "10.0.0.2:5701"), "10.0.0.7", 5701, "10.0.0.7");

  @Test
  @DisplayName("cluster.xml joins by TCP-IP to the configured members on the configured interface")
  void tcpIp() {
    Config config = ClusterBootstrap.hazelcastConfig(new ClasspathXmlConfig("cluster.xml"), cluster);
    JoinConfig join = config.getNetworkConfig().getJoin();
    assertTrue(join.getTcpIpConfig().isEnabled());
    assertEquals(cluster.members(), join.getTcpIpConfig().getMembers());
    assertFalse(join.getKubernetesConfig().isEnabled());
    assertFalse(join.getMulticastConfig().isEnabled());
    assertEquals("prod", config.getClusterName());
  }

  @Test
  @DisplayName("cluster-k8s.xml keeps Kubernetes discovery of the headless service, with no TCP-IP list, bound to the pod IP, with the maps Vert.x needs")
  void kubernetes() {
    Config config = ClusterBootstrap.hazelcastConfig(new ClasspathXmlConfig("cluster-k8s.xml"), cluster);
    JoinConfig join = config.getNetworkConfig().getJoin();
    assertTrue(join.getKubernetesConfig().isEnabled());
    assertEquals("switchboard-hazelcast", join.getKubernetesConfig().getProperty("service-name"));
    assertFalse(join.getTcpIpConfig().isEnabled(), "Hazelcast refuses two join methods at once");
    assertFalse(join.getMulticastConfig().isEnabled());
    assertFalse(join.getAutoDetectionConfig().isEnabled());
    join.verify();
    assertEquals(List.of("10.0.0.7"), List.copyOf(config.getNetworkConfig().getInterfaces().getInterfaces()));
    assertEquals("false", config.getProperty("hazelcast.phone.home.enabled"));
    assertNotNull(config.getMultiMapConfigs().get("__vertx.subs"));
    assertNotNull(config.getMapConfigs().get("__vertx.haInfo"));
  }
}
