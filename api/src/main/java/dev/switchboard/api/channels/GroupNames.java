package dev.switchboard.api.channels;

import java.util.regex.Pattern;

/** Which group names the channel layer accepts (Channels' rule): 1 to 99 ASCII letters, digits, '-', '_' or '.'. */
public final class GroupNames {

  /** Channels' limit: group names shorter than 100 characters. */
  public static final int MAX_LENGTH = 99;
  private static final Pattern GROUP = Pattern.compile("[A-Za-z0-9_.\\-]{1," + MAX_LENGTH + "}");

  private GroupNames() {
  }

  /** True when {@code group} is a name the channel layer accepts; check user-supplied parts before building one. */
  public static boolean valid(String group) {
    return group != null && GROUP.matcher(group).matches();
  }
}
