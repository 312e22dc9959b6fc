package io.muster.app;

import io.vertx.core.http.HttpServerRequest;
import java.math.BigInteger;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.List;

/**
 * The address a request comes from, for rate limits and the audit log. {@code X-Forwarded-For} is
 * believed only when the connection comes from a configured proxy ({@code MUSTER_TRUSTED_PROXIES}:
 * addresses or CIDR ranges); then the client is the right-most address in it that is not itself a
 * trusted proxy. Anyone else's {@code X-Forwarded-For} is ignored, so it cannot dodge a limit.
 */
final class ClientAddress {
  private record Range(BigInteger base, int bits, int length) {
    boolean contains(byte[] address) {
      if (address.length * 8 != length) {
        return false;
      }
      int shift = length - bits;
      return new BigInteger(1, address).shiftRight(shift).equals(base.shiftRight(shift));
    }
  }

  private final List<Range> trusted = new ArrayList<>();

  ClientAddress(List<String> trustedProxies) {
    for (String entry : trustedProxies) {
      trusted.add(range(entry.strip()));
    }
  }

  String of(HttpServerRequest request) {
    String peer = request.remoteAddress() == null ? "-" : request.remoteAddress().host();
    if (trusted.isEmpty() || !trusts(peer)) {
      return peer;
    }
    List<String> hops = new ArrayList<>();
    for (String header : request.headers().getAll("X-Forwarded-For")) {
      for (String hop : header.split(",")) {
        hops.add(hop.strip());
      }
    }
    for (int i = hops.size() - 1; i >= 0; i--) {
      byte[] address = literal(hops.get(i));
      if (address == null) {
        return peer;
      }
      if (!trusts(address)) {
        return hops.get(i);
      }
    }
    return hops.isEmpty() ? peer : hops.get(0);
  }

  private boolean trusts(String host) {
    byte[] address = literal(host);
    return address != null && trusts(address);
  }

  private boolean trusts(byte[] address) {
    return trusted.stream().anyMatch(r -> r.contains(address));
  }

  private static Range range(String entry) {
    int slash = entry.indexOf('/');
    byte[] address = literal(slash < 0 ? entry : entry.substring(0, slash));
    if (address == null) {
      throw new IllegalArgumentException("configuration: http.trustedProxies: '" + entry
          + "' is not an IP address or CIDR range (for example 10.0.0.5 or 10.0.0.0/24)");
    }
    int length = address.length * 8;
    int bits = length;
    if (slash >= 0) {
      try {
        bits = Integer.parseInt(entry.substring(slash + 1));
      } catch (NumberFormatException e) {
        bits = -1;
      }
      if (bits < 0 || bits > length) {
        throw new IllegalArgumentException("configuration: http.trustedProxies: '" + entry
            + "' has a prefix length outside 0.." + length);
      }
    }
    return new Range(new BigInteger(1, address), bits, length);
  }

  /** The bytes of an IP literal, or null for anything else (a name is never looked up). */
  private static byte[] literal(String host) {
    String h = host.startsWith("[") && host.endsWith("]") ? host.substring(1, host.length() - 1) : host;
    boolean v4 = h.matches("[0-9]{1,3}(\\.[0-9]{1,3}){3}");
    boolean v6 = h.contains(":") && h.matches("[0-9A-Fa-f:.%a-zA-Z0-9]+");
    if (!v4 && !v6) {
      return null;
    }
    try {
      return InetAddress.getByName(h).getAddress();
    } catch (UnknownHostException e) {
      return null;
    }
  }
}
